import { DEFAULT_TOPIC, topicDurabilityOf } from '@session-authority/config';
import { MissingToolError } from '../kafka/fetch-kafka.js';
import { startKafkaBroker, stopKafkaBroker } from '../kafka/kafka-broker.js';
import { dropDatabase, ensureDatabase, resolvePostgres, withDatabase } from '../postgres.js';
import { prepareStores } from '@session-authority/projector';
import { LogReplacedError } from '@session-authority/read-model';
import {
  startService,
  stopService,
  waitReady,
  type ServiceProcess,
  type ServiceSpec,
} from '../stack/service-process.js';
import { apiSpec, exampleSpec, projectorSpec } from '../stack/service-specs.js';

/**
 * `npm start`: Kafka, PostgreSQL, migrations and topics, then 2 API replicas, 2 projectors and the
 * example downstream service as separate processes. Ctrl-C or SIGTERM stops everything it started.
 */
const env = process.env;
const print = (line: string) => console.log(line);
const name = env.STACK_NAME ?? 'stack';
const kafkaPort = Number(env.KAFKA_PORT ?? 9092);
const controllerPort = Number(env.KAFKA_CONTROLLER_PORT ?? kafkaPort + 1);
const publicPort = Number(env.PUBLIC_PORT ?? 4433);
const adminPort = Number(env.ADMIN_PORT ?? 4434);
const projectorPort = Number(env.PROJECTOR_PORT ?? 4435);
const examplePort = Number(env.EXAMPLE_PORT ?? 4436);
const topic = env.KAFKA_TOPIC ?? DEFAULT_TOPIC;
// A well-known key for local runs only; set ADMIN_API_KEY for anything else.
const adminKey = env.ADMIN_API_KEY ?? 'local-stack-admin-key-0000000000000000';

const started = Date.now();
const cleanups: (() => Promise<void>)[] = [];
const services: ServiceProcess[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    print('stopping the stack…');
    await Promise.all(services.map((service) => stopService(service, 15_000)));
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => console.error(error));
    print('stack stopped');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/** Starts a service of the stack; if it exits on its own, the whole stack stops. */
function launch(spec: ServiceSpec): ServiceProcess {
  const service = startService(spec, { onLine: (line) => print(`[${spec.name}] ${line}`) });
  services.push(service);
  void service.exited.then((code) => {
    if (!stopping) {
      console.error(`${spec.name} exited unexpectedly (code ${code}); stopping the stack`);
      void shutdown(1);
    }
  });
  return service;
}

try {
  const postgres = await resolvePostgres(env, print);
  cleanups.push(() => postgres.stop());
  const databaseUrl =
    postgres.source === 'DATABASE_URL'
      ? postgres.url
      : withDatabase(postgres.url, 'session_authority');
  await ensureDatabase(databaseUrl);
  print(
    `PostgreSQL: ${postgres.source} (${new URL(databaseUrl).host}${new URL(databaseUrl).pathname})`,
  );

  let brokers = env.KAFKA_BROKERS;
  if (brokers === undefined || brokers === '') {
    const broker = await startKafkaBroker({
      name,
      port: kafkaPort,
      controllerPort,
      log: print,
    });
    cleanups.push(() => stopKafkaBroker(name));
    brokers = broker.brokers.join(',');
  }
  print(`Kafka: ${brokers}`);

  const prepare = () =>
    prepareStores({
      databaseUrl,
      brokers: brokers.split(','),
      topic,
      partitions: Number(env.KAFKA_TOPIC_PARTITIONS ?? 12),
      durability: topicDurabilityOf({
        KAFKA_REPLICATION_FACTOR: Number(env.KAFKA_REPLICATION_FACTOR ?? 1),
        KAFKA_MIN_INSYNC_REPLICAS:
          env.KAFKA_MIN_INSYNC_REPLICAS === undefined
            ? undefined
            : Number(env.KAFKA_MIN_INSYNC_REPLICAS),
      }),
    });
  await prepare().catch(async (error: unknown) => {
    // Only the stack's own database is started over; one named by DATABASE_URL never is.
    if (!(error instanceof LogReplacedError) || postgres.source === 'DATABASE_URL') throw error;
    print(
      `the local database ${new URL(databaseUrl).pathname.slice(1)} was made from another log ` +
        `(cluster ${error.pinned.clusterId}; the local broker is cluster ${error.found.clusterId}): ` +
        'starting it over, empty',
    );
    await dropDatabase(databaseUrl);
    await ensureDatabase(databaseUrl);
    await prepare();
  });

  const shared = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC: topic,
    LOG_LEVEL: env.LOG_LEVEL ?? 'info',
  };
  const specs = [
    // Two projectors, both applying: either one's crash costs no logout more than a moment.
    projectorSpec('projector-1', projectorPort, shared),
    projectorSpec('projector-2', projectorPort + 10, shared),
    ...[0, 1].map((replica) =>
      apiSpec(
        `api-${replica + 1}`,
        { public: publicPort + replica * 10, admin: adminPort + replica * 10 },
        { ...shared, ADMIN_API_KEY: adminKey },
      ),
    ),
  ];
  await Promise.all(specs.map(launch).map((service) => waitReady(service, 60_000)));
  // Started last: the projectors have created the feed topic it bootstraps from.
  await waitReady(launch(exampleSpec('example', examplePort, shared)), 60_000);

  print(`\nsession-authority is up in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  const pid = (name: string) => services.find((s) => s.spec.name === name)?.child.pid ?? '?';
  for (const replica of [0, 1]) {
    print(
      `  api-${replica + 1} (pid ${pid(`api-${replica + 1}`)})  public http://127.0.0.1:${publicPort + replica * 10}/auth` +
        `   admin http://127.0.0.1:${adminPort + replica * 10}`,
    );
  }
  for (const index of [0, 1]) {
    const name = `projector-${index + 1}`;
    print(`  ${name} (pid ${pid(name)})  http://127.0.0.1:${projectorPort + index * 10}/metrics`);
  }
  print(
    `  example (pid ${pid('example')})  http://127.0.0.1:${examplePort}/  (a downstream service: X-Session-Id, Session-Log-Position)`,
  );
  print(
    `  admin key: ${env.ADMIN_API_KEY === undefined ? 'the local default (docs/operations.md)' : 'from ADMIN_API_KEY'}`,
  );
  print('STACK READY (Ctrl-C to stop)');
} catch (error) {
  console.error(error instanceof MissingToolError ? error.message : error);
  await shutdown(1);
}
