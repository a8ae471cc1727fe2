import type { AuthApiEnv } from '@session-authority/config';
import { pingKafka } from '@session-authority/event-log';
import {
  createAuditReader,
  createSessionReader,
  pendingMigrations,
  pingReadModel,
} from '@session-authority/read-model';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { createApiMetrics } from './api-metrics.js';
import type { AppDeps } from './build-app.js';
import { eventLogPlugin } from './plugins/event-log.js';
import { projectionWatermarkPlugin } from './plugins/projection-watermark.js';
import { readModelPlugin } from './plugins/read-model.js';
import type { Readiness } from './routes/ops-routes.js';
import { createSessions } from './sessions/create-sessions.js';

export interface Resources {
  readonly deps: AppDeps;
  /** Closes every resource, last opened first (each plugin's onClose). */
  close(): Promise<void>;
}

/**
 * What a replica needs (PostgreSQL, the projection watermark, the Kafka producer), each a fastify
 * plugin that owns and closes its resource. They live on a host instance of their own, which
 * listens nowhere: the two ports (two fastify instances) share them, and close before they do.
 */
export async function openResources(
  config: AuthApiEnv,
  logger: Logger,
  /** A replica that started before the migrations ends here when the log it then finds is another. */
  cannotStart: (error: unknown) => never,
): Promise<Resources> {
  const kafka = {
    brokers: config.KAFKA_BROKERS,
    clientId: `auth-api-${config.INSTANCE_ID}`,
    logger,
    security: config.KAFKA_SECURITY,
  };
  const loggerInstance: FastifyBaseLogger = logger;
  const host = Fastify({ loggerInstance });
  let migrated = false; // and the followed log checked
  try {
    await host.register(readModelPlugin, { config, kafka });
    await host.register(projectionWatermarkPlugin, { config });
    await host.register(eventLogPlugin, { config, kafka });
    await host.ready();
    // The pin lives in a migrated table: a replica that starts first checks once they are in.
    migrated = (await pendingMigrations(host.readModel)) === 0;
    if (migrated) await host.checkFollowedLog();
  } catch (error) {
    await host.close().catch(() => undefined);
    throw error;
  }
  const { readModel: orm, projectionWatermark: watermark, eventLog: appender } = host;
  const metrics = createApiMetrics();
  const { queries, commands } = createSessions({
    reader: createSessionReader(orm.em, config.DATABASE_SCHEMA),
    appender,
    watermark,
    metrics,
    source: `urn:session-authority:auth-api:${config.INSTANCE_ID}`,
    consistencyWaitMs: config.CONSISTENCY_WAIT_MS,
    appendTimeoutMs: config.LOG_APPEND_TIMEOUT_MS,
  });
  const readiness: Readiness = async () => {
    const postgres = await pingReadModel(orm);
    if (!migrated && postgres && (await pendingMigrations(orm).catch(() => 1)) === 0) {
      await host.checkFollowedLog().catch(cannotStart);
      migrated = true;
    }
    const checks = {
      postgres,
      migrations: migrated,
      projectionWatermark: watermark.listening,
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
      earliestPossibleExtendMs: config.SESSION_EARLIEST_POSSIBLE_EXTEND,
      forbiddenLimit: config.LOGOUT_FORBIDDEN_LIMIT,
      forbiddenWindowMs: config.LOGOUT_FORBIDDEN_WINDOW_MS,
      admission: { maxPending: config.MAX_PENDING_WRITES, maxWaitMs: config.WRITE_QUEUE_MAX_MS },
    },
    queries,
    commands,
    audit: createAuditReader(orm.em, config.DATABASE_SCHEMA, config.KAFKA_TOPIC),
    metrics,
    logger,
    readiness,
  };
  return { deps, close: () => host.close() };
}
