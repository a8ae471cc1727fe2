import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dropDatabase,
  ensureDatabase,
  freePort,
  prepareStores,
  repoRoot,
  resolvePostgres,
  startKafkaBroker,
  startService,
  stopKafkaBroker,
  stopService,
  waitReady,
  withDatabase,
  type ServiceProcess,
  type ServiceSpec,
  apiSpec,
  projectorSpec,
} from '@session-authority/local-infra';
import pg from 'pg';
import type { ProcessGroups } from './process-cpu.js';

function pidsOf(services: readonly ServiceProcess[], prefix: string): number[] {
  return services
    .filter((service) => service.spec.name.startsWith(prefix))
    .flatMap((service) => (service.child.pid === undefined ? [] : [service.child.pid]));
}

export interface BenchStack {
  readonly brokers: string[];
  readonly databaseUrl: string;
  readonly topic: string;
  /** The log and the revocation feed the projectors write. */
  readonly topics: { readonly log: string; readonly feed: string };
  readonly apiOrigins: string[];
  /** The admin port of each replica, and the key its requests carry. */
  readonly adminOrigins: string[];
  readonly adminKey: string;
  readonly baselineOrigins: string[];
  readonly versions: { readonly kafka: string; readonly postgres: string };
  /** The stack's processes by what they are, for the CPU each step costs (PostgreSQL aside). */
  readonly processes: ProcessGroups;
  /** Each projector's /metrics. */
  readonly projectorMetrics: string[];
  stop(): Promise<void>;
}

const BROKER_NAME = 'bench';

function pinnedKafkaVersion(): string {
  const pom = readFileSync(join(repoRoot, 'infra/kafka/pom.xml'), 'utf8');
  return /<kafka\.version>([^<]+)</.exec(pom)?.[1] ?? 'unknown';
}

/**
 * Its own database, topic and processes: `projectors` projectors, 2 API replicas, and 2 CRUD
 * baseline servers. Kafka and PostgreSQL come from KAFKA_BROKERS / DATABASE_URL or the local infra.
 */
export async function startBenchStack(
  projectors: number,
  log: (line: string) => void,
  projections = 'sessions,audit',
): Promise<BenchStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const services: ServiceProcess[] = [];
  const stop = async () => {
    await Promise.all(services.map((service) => stopService(service, 15_000)));
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const postgres = await resolvePostgres(process.env, log);
    cleanups.push(() => postgres.stop());
    const databaseUrl = withDatabase(postgres.url, 'session_authority_bench');
    await dropDatabase(databaseUrl);
    await ensureDatabase(databaseUrl);

    let brokers = process.env.KAFKA_BROKERS;
    let kafkaVersion = 'external';
    const brokerPids: number[] = [];
    if (brokers === undefined || brokers === '') {
      await stopKafkaBroker(BROKER_NAME, { removeData: true }); // what an interrupted run left
      const broker = await startKafkaBroker({
        name: BROKER_NAME,
        port: await freePort(),
        controllerPort: await freePort(),
        log,
      });
      cleanups.push(() => stopKafkaBroker(BROKER_NAME, { removeData: true }));
      brokerPids.push(broker.pid);
      brokers = broker.brokers.join(',');
      kafkaVersion = pinnedKafkaVersion();
    }
    const topic = `bench-${Date.now()}`;
    const feedTopic = `${topic}.revocations`;
    await prepareStores({
      databaseUrl,
      brokers: brokers.split(','),
      topic,
      feedTopic,
      partitions: 12,
      durability: { replicationFactor: 1, minInsyncReplicas: 1 },
    });
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    await client.end();

    const shared = {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC: topic,
      FEED_TOPIC: feedTopic,
      SESSION_STATE_TOPIC: `${topic}.session-state`,
      LOG_LEVEL: 'warn',
    };
    const specs: ServiceSpec[] = [];
    const projectorMetrics: string[] = [];
    for (let i = 1; i <= projectors; i++) {
      const projectorEnv = { ...shared, PROJECTOR_GROUP_ID: topic, PROJECTIONS: projections };
      const port = await freePort();
      projectorMetrics.push(`http://127.0.0.1:${port}/metrics`);
      specs.push(projectorSpec(`projector-${i}`, port, projectorEnv));
    }
    const apiOrigins: string[] = [];
    const adminOrigins: string[] = [];
    const adminKey = `bench-admin-key-${topic}-0000000000`;
    const baselineOrigins: string[] = [];
    for (const replica of [1, 2]) {
      const ports = { public: await freePort(), admin: await freePort() };
      apiOrigins.push(`http://127.0.0.1:${ports.public}`);
      adminOrigins.push(`http://127.0.0.1:${ports.admin}`);
      specs.push(
        apiSpec(`api-${replica}`, ports, {
          ...shared,
          ADMIN_API_KEY: adminKey,
          // The benchmark's unknown-token scenario is token guessing by design.
          LOGOUT_FORBIDDEN_LIMIT: '1000000000',
        }),
      );
      const baselinePort = await freePort();
      baselineOrigins.push(`http://127.0.0.1:${baselinePort}`);
      specs.push({
        name: `crud-baseline-${replica}`,
        entry: join(repoRoot, 'bench/dist/crud-baseline.js'),
        env: { DATABASE_URL: databaseUrl, PORT: String(baselinePort) },
        healthUrl: `http://127.0.0.1:${baselinePort}`,
      });
    }
    // BENCH_CPU_PROF_DIR=dir: every service writes a V8 CPU profile there when it stops.
    const profileDir = process.env.BENCH_CPU_PROF_DIR;
    const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
    for (const spec of specs) {
      const service = startService(
        { ...spec, nodeArgs },
        { onLine: (line) => log(`[${spec.name}] ${line}`) },
      );
      services.push(service);
      log(`${spec.name} started, pid ${service.child.pid ?? '?'}`);
    }
    await Promise.all(services.map((service) => waitReady(service, 60_000)));
    return {
      brokers: brokers.split(','),
      databaseUrl,
      topic,
      topics: { log: topic, feed: feedTopic },
      apiOrigins,
      adminOrigins,
      adminKey,
      baselineOrigins,
      versions: { kafka: kafkaVersion, postgres: rows[0]?.server_version ?? 'unknown' },
      processes: {
        'API replicas': pidsOf(services, 'api-'),
        projectors: pidsOf(services, 'projector-'),
        ...(brokerPids.length === 0 ? {} : { broker: brokerPids }),
        'CRUD baseline': pidsOf(services, 'crud-baseline-'),
      },
      projectorMetrics,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
