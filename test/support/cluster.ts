import { startService, type RunningService, type ServiceEnv } from './service-process.js';
import { createTestDatabase, createTestTopic, kafkaBrokers, type TestDatabase } from './stores.js';

export interface Cluster {
  readonly db: TestDatabase;
  readonly topic: string;
  readonly apis: RunningService[];
  readonly projector: RunningService;
  readonly projectors: RunningService[];
  readonly env: ServiceEnv;
  stop(): Promise<void>;
}

/** A database and topic of its own, N API replicas and M projectors (1), each a separate process. */
export async function startCluster(
  options: {
    replicas?: number;
    projectors?: number;
    brokers?: string;
    /** Of the log and the feed; the services are told to require it. */
    replicationFactor?: number;
    extra?: Record<string, string>;
  } = {},
): Promise<Cluster> {
  const db = await createTestDatabase();
  const brokers = options.brokers ?? kafkaBrokers().join(',');
  const replicationFactor = options.replicationFactor ?? 1;
  const topic = await createTestTopic(4, brokers.split(','), replicationFactor);
  const env: ServiceEnv = {
    kafkaBrokers: brokers,
    databaseUrl: db.url,
    topic,
    extra: { KAFKA_REPLICATION_FACTOR: String(replicationFactor), ...options.extra },
  };
  const projectors = await startAll(
    Array.from({ length: options.projectors ?? 1 }, (_, i) =>
      startService('projector', env, i === 0 ? 'projector' : `projector-${i + 1}`),
    ),
    db,
  );
  const [projector] = projectors;
  if (projector === undefined) throw new Error('a cluster needs a projector');
  const apis = await startAll(
    Array.from({ length: options.replicas ?? 2 }, (_, i) =>
      startService('auth-api', env, `api-${i + 1}`),
    ),
    db,
    projectors,
  );
  return {
    db,
    topic,
    apis,
    projector,
    projectors,
    env,
    stop: async () => {
      await Promise.all([...apis, ...projectors].map((service) => service.stop()));
      await db.drop();
    },
  };
}

/** All of them, or none: when one fails to start, the others (and what came before) are stopped. */
async function startAll(
  starting: readonly Promise<RunningService>[],
  db: TestDatabase,
  before: readonly RunningService[] = [],
): Promise<RunningService[]> {
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed === undefined) return started;
  await Promise.all([...before, ...started].map((service) => service.stop()));
  await db.drop();
  throw failed.reason;
}
