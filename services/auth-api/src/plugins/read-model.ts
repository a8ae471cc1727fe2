import type { AuthApiEnv } from '@session-authority/config';
import type { KafkaConnection } from '@session-authority/event-log';
import { topicDurabilityOf } from '@session-authority/config';
import { checkTopicDurability, readTopicIdentity } from '@session-authority/event-log';
import { openReadModel, pinTopic, type ReadModelOrm } from '@session-authority/read-model';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    readModel: ReadModelOrm;
    /**
     * Checks that the brokers serve the log this read model was made from (its pinned cluster id,
     * first record and partition count) and is as durable as configured; throws LogReplacedError,
     * PartitionCountChangedError, UnmarkedTopicError or WeakTopicError.
     */
    checkFollowedLog(): Promise<void>;
  }
}

/** PostgreSQL through MikroORM, and the check of the log it follows. */
export const readModelPlugin = fp<{ config: AuthApiEnv; kafka: KafkaConnection }>(
  async (app, { config, kafka }) => {
    const orm = await openReadModel({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolMax: config.DATABASE_POOL_MAX,
    });
    app.addHook('onClose', () => orm.close());
    app.decorate('readModel', orm);
    app.decorate('checkFollowedLog', async () => {
      await checkTopicDurability(kafka, config.KAFKA_TOPIC, topicDurabilityOf(config));
      const observed = await readTopicIdentity(kafka, config.KAFKA_TOPIC);
      await pinTopic(orm.em, config.DATABASE_SCHEMA, observed);
    });
  },
  { name: 'read-model' },
);
