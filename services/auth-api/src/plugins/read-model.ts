import type { AuthApiEnv } from '@session-authority/config';
import type { KafkaConnection } from '@session-authority/event-log';
import { readPartitionCount } from '@session-authority/event-log';
import {
  checkPartitionCount,
  openReadModel,
  pendingMigrations,
  type ReadModelOrm,
} from '@session-authority/read-model';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    readModel: ReadModelOrm;
  }
}

/** PostgreSQL through MikroORM; checks the log's partition count once the migrations are in. */
export const readModelPlugin = fp<{ config: AuthApiEnv; kafka: KafkaConnection }>(
  async (app, { config, kafka }) => {
    const orm = await openReadModel({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolMax: config.DATABASE_POOL_MAX,
    });
    app.addHook('onClose', () => orm.close());
    app.decorate('readModel', orm);
    // The projector records the partition count at first start; a replica only checks it.
    if ((await pendingMigrations(orm)) === 0) {
      const partitions = await readPartitionCount(kafka, config.KAFKA_TOPIC);
      await checkPartitionCount(orm.em, config.DATABASE_SCHEMA, config.KAFKA_TOPIC, partitions, {
        record: false,
      });
    }
  },
  { name: 'read-model' },
);
