import type { ProjectorEnv } from '@session-authority/config';
import {
  ensureCompactedTopic,
  ensureTopic,
  type KafkaSecurity,
} from '@session-authority/event-log';
import { migrateReadModel, openReadModel } from '@session-authority/read-model';

export interface PrepareOptions {
  readonly databaseUrl: string;
  readonly schema?: string;
  readonly brokers: readonly string[];
  readonly security?: KafkaSecurity;
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** The compacted revocation feed, created beside the log with its partition count. */
  readonly feedTopic?: string;
}

/** Runs the read model's migrations and creates the log topic; both are idempotent (compose's setup step, npm start, the tests). */
export async function prepareStores(
  options: PrepareOptions,
): Promise<{ topic: 'created' | 'exists' }> {
  const orm = await openReadModel({
    url: options.databaseUrl,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    poolMax: 2,
  });
  try {
    await migrateReadModel(orm);
  } finally {
    await orm.close();
  }
  const connection = {
    brokers: options.brokers,
    clientId: 'session-authority-setup',
    ...(options.security === undefined ? {} : { security: options.security }),
  };
  const { partitions, replicationFactor } = options;
  const topic = await ensureTopic(connection, {
    topic: options.topic,
    partitions,
    replicationFactor,
  });
  if (options.feedTopic !== undefined)
    await ensureCompactedTopic(connection, {
      topic: options.feedTopic,
      partitions,
      replicationFactor,
    });
  return { topic };
}

/** prepareStores with the projector's settings (Kafka security included). */
export function prepareStoresFromConfig(
  config: ProjectorEnv,
): Promise<{ topic: 'created' | 'exists' }> {
  return prepareStores({
    databaseUrl: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    brokers: config.KAFKA_BROKERS,
    security: config.KAFKA_SECURITY,
    topic: config.KAFKA_TOPIC,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    feedTopic: config.FEED_TOPIC,
  });
}
