import { randomBytes } from 'node:crypto';
import closeWithGrace from 'close-with-grace';
import { loadProjectorConfig } from '@session-authority/config';
import { createKafkaSubscription, pingKafka } from '@session-authority/event-log';
import {
  migrateReadModel,
  openReadModel,
  pingReadModel,
  sessionsProjection,
} from '@session-authority/read-model';
import { createProjector } from './create-projector.js';
import { createLogger } from './logger.js';
import { buildOpsServer } from './ops-server.js';
import { createProjectorMetrics } from './projector-metrics.js';

const config = loadProjectorConfig();
const logger = createLogger(config.LOG_LEVEL, config.INSTANCE_ID);
const kafka = {
  brokers: config.KAFKA_BROKERS,
  clientId: `projector-${config.INSTANCE_ID}`,
  logger,
};

const orm = await openReadModel({
  url: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  poolMax: config.DATABASE_POOL_MAX,
});
await migrateReadModel(orm);
const metrics = createProjectorMetrics();
// Every projector reads every partition, in a consumer group of its own: no group rebalance
// ever stands between a crash and the survivor's next commit. Where two apply the same batch,
// the offsets checked in the transaction make the later commit a no-op.
const subscription = createKafkaSubscription({
  ...kafka,
  topic: config.KAFKA_TOPIC,
  groupId: `${config.PROJECTOR_GROUP_ID}.${config.INSTANCE_ID}.${randomBytes(4).toString('hex')}`,
});
const projector = createProjector({
  orm,
  schema: config.DATABASE_SCHEMA,
  topic: config.KAFKA_TOPIC,
  projections: [sessionsProjection],
  subscription,
  metrics,
  logger,
});
const ops = buildOpsServer({
  registry: metrics.registry,
  ready: async () => {
    const checks = {
      postgres: await pingReadModel(orm),
      kafka: await pingKafka(kafka),
      partitionsHealthy: projector.haltedPartitions().length === 0,
    };
    return { ok: Object.values(checks).every(Boolean), checks };
  },
});

await projector.start();
await ops.listen({ host: config.HOST, port: config.PROJECTOR_PORT });
logger.info({ port: config.PROJECTOR_PORT, topic: config.KAFKA_TOPIC }, 'projector running');

closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err !== undefined) logger.error({ err }, 'stopping after an error');
  else logger.info({ signal }, 'stopping');
  await ops.close();
  await projector.stop();
  await orm.close();
});
