import closeWithGrace from 'close-with-grace';
import { loadAuthApiConfig } from '@session-authority/config';
import { createKafkaAppender, pingKafka } from '@session-authority/event-log';
import {
  createSessionReader,
  openReadModel,
  pendingMigrations,
  pingReadModel,
  ProjectionWatermark,
} from '@session-authority/read-model';
import { parseDuration } from '@session-authority/sessions';
import { createApiMetrics } from './api-metrics.js';
import { buildApp } from './build-app.js';
import { createLogger } from './logger.js';
import { SessionService } from './sessions/session-service.js';

const SESSIONS_PROJECTION = 'sessions';

const config = loadAuthApiConfig();
const logger = createLogger(config.LOG_LEVEL, config.INSTANCE_ID);
const kafka = { brokers: config.KAFKA_BROKERS, clientId: `auth-api-${config.INSTANCE_ID}`, logger };

const orm = await openReadModel({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  poolMax: config.DATABASE_POOL_MAX,
});
const watermark = new ProjectionWatermark({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  projection: SESSIONS_PROJECTION,
  topic: config.KAFKA_TOPIC,
  pollMs: config.CONSISTENCY_POLL_MS,
  onError: (err) => logger.warn({ err }, 'projection watermark connection problem'),
});
await watermark.start();
const appender = await createKafkaAppender({ ...kafka, topic: config.KAFKA_TOPIC });
const metrics = createApiMetrics();
const service = new SessionService({
  reader: createSessionReader(orm.em, config.DATABASE_SCHEMA),
  appender,
  watermark,
  metrics,
  source: `urn:session-authority:auth-api:${config.INSTANCE_ID}`,
  consistencyWaitMs: config.CONSISTENCY_WAIT_MS,
});

let migrated = false;
const { publicApp, adminApp } = await buildApp({
  config: {
    basePath: config.PUBLIC_BASE_PATH,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    trustProxy: config.TRUST_PROXY,
    debug: config.DEBUG,
    adminApiKey: config.ADMIN_API_KEY,
    defaultLifespanMs: parseDuration(config.SESSION_DEFAULT_LIFESPAN) ?? 86_400_000,
    forbiddenLimit: config.LOGOUT_FORBIDDEN_LIMIT,
    forbiddenWindowMs: config.LOGOUT_FORBIDDEN_WINDOW_MS,
  },
  service,
  metrics,
  logger,
  readiness: async () => {
    const postgres = await pingReadModel(orm);
    migrated ||= postgres && (await pendingMigrations(orm).catch(() => 1)) === 0;
    const checks = {
      postgres,
      migrations: migrated,
      kafka: await pingKafka(kafka),
      projectionListener: watermark.listening,
    };
    return { ok: Object.values(checks).every(Boolean), checks };
  },
});

await publicApp.listen({ host: config.HOST, port: config.PUBLIC_PORT });
await adminApp.listen({ host: config.HOST, port: config.ADMIN_PORT });
logger.info(
  { public: config.PUBLIC_PORT, admin: config.ADMIN_PORT, basePath: config.PUBLIC_BASE_PATH },
  'auth-api listening',
);

closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err !== undefined) logger.error({ err }, 'stopping after an error');
  else logger.info({ signal }, 'draining and stopping');
  await Promise.all([publicApp.close(), adminApp.close()]);
  await watermark.close();
  await appender.close();
  await orm.close();
});
