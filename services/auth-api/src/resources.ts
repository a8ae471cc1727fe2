import type { AuthApiEnv } from '@session-authority/config';
import {
  createKafkaAppender,
  pingKafka,
  readPartitionCount,
  type EventAppender,
} from '@session-authority/event-log';
import {
  checkPartitionCount,
  createSessionReader,
  openReadModel,
  pendingMigrations,
  pingReadModel,
  ProjectionWatermark,
  SESSIONS_PROJECTION,
} from '@session-authority/read-model';
import type { Logger } from 'pino';
import { createApiMetrics } from './api-metrics.js';
import type { AppDeps } from './build-app.js';
import type { Readiness } from './routes/ops-routes.js';
import { SessionService } from './sessions/session-service.js';

export interface Resources {
  readonly deps: AppDeps;
  /** Closes what was opened, last first. */
  close(): Promise<void>;
}

/**
 * Opens what a replica needs (PostgreSQL, the projection listener, the Kafka producer) and
 * wires the app's dependencies. Each resource registers its own close as it opens, so a failure
 * half-way closes what was already open.
 */
export async function openResources(config: AuthApiEnv, logger: Logger): Promise<Resources> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const kafka = {
      brokers: config.KAFKA_BROKERS,
      clientId: `auth-api-${config.INSTANCE_ID}`,
      logger,
      security: config.KAFKA_SECURITY,
    };
    const orm = await openReadModel({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolMax: config.DATABASE_POOL_MAX,
    });
    closers.push(() => orm.close());
    // The projector records the partition count at first start; a replica only checks it.
    if ((await pendingMigrations(orm)) === 0) {
      const partitions = await readPartitionCount(kafka, config.KAFKA_TOPIC);
      await checkPartitionCount(orm.em, config.DATABASE_SCHEMA, config.KAFKA_TOPIC, partitions, {
        record: false,
      });
    }
    const watermark = new ProjectionWatermark({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      projection: SESSIONS_PROJECTION,
      topic: config.KAFKA_TOPIC,
      pollMs: config.CONSISTENCY_POLL_MS,
      onError: (err) => logger.warn({ err }, 'projection listener connection problem'),
    });
    await watermark.start();
    closers.push(() => watermark.close());
    const appender: EventAppender = await createKafkaAppender({
      ...kafka,
      topic: config.KAFKA_TOPIC,
    });
    closers.push(() => appender.close());

    const metrics = createApiMetrics();
    const service = new SessionService({
      reader: createSessionReader(orm.em, config.DATABASE_SCHEMA),
      appender,
      waiter: watermark,
      metrics,
      source: `urn:session-authority:auth-api:${config.INSTANCE_ID}`,
      consistencyWaitMs: config.CONSISTENCY_WAIT_MS,
    });
    let migrated = false;
    const readiness: Readiness = async () => {
      const postgres = await pingReadModel(orm);
      migrated ||= postgres && (await pendingMigrations(orm).catch(() => 1)) === 0;
      const checks = {
        postgres,
        migrations: migrated,
        projectionListener: watermark.listening,
        // Reported, not required: whoami needs only PostgreSQL; logouts answer 503 meanwhile.
        kafka: await pingKafka(kafka),
      };
      return { ok: postgres && migrated && watermark.listening, checks };
    };
    const deps: AppDeps = {
      config: {
        basePath: config.PUBLIC_BASE_PATH,
        bodyLimit: config.BODY_LIMIT_BYTES,
        requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        trustProxy: config.TRUST_PROXY,
        debug: config.DEBUG,
        adminApiKey: config.ADMIN_API_KEY,
        defaultLifespanMs: config.SESSION_DEFAULT_LIFESPAN,
        maxLifespanMs: config.SESSION_MAX_LIFESPAN,
        forbiddenLimit: config.LOGOUT_FORBIDDEN_LIMIT,
        forbiddenWindowMs: config.LOGOUT_FORBIDDEN_WINDOW_MS,
      },
      service,
      metrics,
      logger,
      readiness,
    };
    return { deps, close };
  } catch (error) {
    await close();
    throw error;
  }
}
