import { randomBytes } from 'node:crypto';
import closeWithGrace from 'close-with-grace';
import { loadProjectorConfig, topicDurabilityOf } from '@session-authority/config';
import {
  checkTopicDurability,
  createFeedWriter,
  createKafkaSubscription,
  ensureCompactedTopic,
  pingKafka,
  readTopicIdentity,
} from '@session-authority/event-log';
import {
  pinTopic,
  PostgresProjectionWatermark,
  SESSIONS_PROJECTION,
  migrateReadModel,
  openReadModel,
  pingReadModel,
} from '@session-authority/read-model';
import { createProjector } from './create-projector.js';
import { OwnedResources } from './owned-resources.js';
import { projectionsOf } from './projections.js';
import { startFeedSweep } from './feed-sweep.js';
import { openStateTopic } from './state-topic.js';
import { holdLeadership, leadershipKey } from './leadership.js';
import { createLogger } from './logger.js';
import { buildOpsServer } from './ops-server.js';
import { createProjectorMetrics } from './projector-metrics.js';

const config = loadProjectorConfig();
const logger = createLogger(config.LOG_LEVEL, config.INSTANCE_ID);
const kafka = {
  brokers: config.KAFKA_BROKERS,
  clientId: `projector-${config.INSTANCE_ID}`,
  logger,
  security: config.KAFKA_SECURITY,
};

/** One clear line and exit 1, not a retry loop: another log, credentials, a certificate. */
function cannotStart(error: unknown): never {
  logger.fatal(`projector cannot start: ${(error as Error).message}`);
  process.exit(1);
}

const resources = new OwnedResources();
const orm = resources.own(
  await openReadModel({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    poolMax: config.DATABASE_POOL_MAX,
  }).catch(cannotStart),
  (o) => o.close(),
);
const durability = topicDurabilityOf(config);
const logPartitions = await migrateReadModel(orm)
  .then(async () => {
    await checkTopicDurability(kafka, config.KAFKA_TOPIC, durability);
    const log = await readTopicIdentity(kafka, config.KAFKA_TOPIC);
    await pinTopic(orm.em, config.DATABASE_SCHEMA, log);
    // The feed has the log's partition count: a session is on the same partition number in both.
    await ensureCompactedTopic(kafka, {
      topic: config.FEED_TOPIC,
      partitions: log.partitions,
      ...durability,
    });
    await checkTopicDurability(kafka, config.FEED_TOPIC, durability);
    const feed = await readTopicIdentity(kafka, config.FEED_TOPIC);
    await pinTopic(orm.em, config.DATABASE_SCHEMA, feed);
    return log.partitions;
  })
  .catch(cannotStart);
const feed = resources.own(
  await createFeedWriter({ ...kafka, topic: config.FEED_TOPIC }).catch(cannotStart),
  (f) => f.close(),
);
const state = resources.own(
  await openStateTopic({
    connection: kafka,
    orm,
    schema: config.DATABASE_SCHEMA,
    topic: config.KAFKA_TOPIC,
    partitions: logPartitions,
    stateTopic: config.SESSION_STATE_TOPIC,
    durability,
    logger,
  }).catch(cannotStart),
  (s) => s.close(),
);
const metrics = createProjectorMetrics();
// Every projector reads every partition, in a consumer group of its own: no group rebalance
// ever stands between a crash and the survivor's next commit. The leader (an advisory lock)
// applies at once; a follower applies only what the leader has not applied within the grace
// time, and the offsets checked in the transaction make any double apply a no-op.
const subscription = createKafkaSubscription({
  ...kafka,
  topic: config.KAFKA_TOPIC,
  groupId: `${config.PROJECTOR_GROUP_ID}.${config.INSTANCE_ID}.${randomBytes(4).toString('hex')}`,
});
const leadership = resources.own(
  holdLeadership({
    url: config.DATABASE_URL,
    lockKey: leadershipKey(config.DATABASE_SCHEMA, config.KAFKA_TOPIC),
    retryMs: 250,
    onChange: (leader) => {
      metrics.leader.set(leader ? 1 : 0);
      logger.info(
        { leader },
        leader ? 'leading: applying at once' : 'following: backing up the leader',
      );
    },
    onError: (err) => logger.warn({ err }, 'leadership connection problem'),
  }),
  (l) => l.close(),
);
const watermark = resources.own(
  new PostgresProjectionWatermark({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    projection: SESSIONS_PROJECTION,
    topic: config.KAFKA_TOPIC,
    pollMs: 200,
    onError: (err) => logger.warn({ err }, 'projection watermark connection problem'),
  }),
  (w) => w.close(),
);
await watermark.start().catch(cannotStart);
const projector = resources.own(
  createProjector({
    orm,
    schema: config.DATABASE_SCHEMA,
    topic: config.KAFKA_TOPIC,
    projections: projectionsOf(config.PROJECTIONS),
    subscription,
    metrics,
    logger,
    feed,
    state,
    backup: { leadership, watermark, graceMs: config.PROJECTOR_FOLLOWER_GRACE_MS },
    onOutOfRange: (error) => {
      logger.fatal(`projector stopped: ${error.message}`);
      process.exit(1);
    },
  }),
  (p) => p.stop(),
);
resources.own(
  startFeedSweep({
    orm,
    schema: config.DATABASE_SCHEMA,
    topic: config.KAFKA_TOPIC,
    feed,
    intervalMs: config.FEED_SWEEP_INTERVAL_MS,
    isLeader: () => leadership.isLeader(),
    logger,
  }),
  (stopSweep) => stopSweep(),
);
const ops = resources.own(
  buildOpsServer({
    registry: metrics.registry,
    ready: async () => {
      const checks = {
        postgres: await pingReadModel(orm),
        kafka: await pingKafka(kafka),
        partitionsHealthy: projector.haltedPartitions().length === 0,
      };
      return { ok: Object.values(checks).every(Boolean), checks };
    },
  }),
  (o) => o.close(),
);

await projector.start().catch(cannotStart);
await ops.listen({ host: config.HOST, port: config.PROJECTOR_PORT });
logger.info({ port: config.PROJECTOR_PORT, topic: config.KAFKA_TOPIC }, 'projector running');

closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err !== undefined) logger.error({ err }, 'stopping after an error');
  else logger.info({ signal }, 'stopping');
  await resources.close();
});
