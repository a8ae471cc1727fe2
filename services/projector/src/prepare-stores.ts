import { topicDurabilityOf, type ProjectorEnv } from '@session-authority/config';
import {
  checkTopicDurability,
  ensureCompactedTopic,
  ensureTopic,
  readTopicIdentity,
  type KafkaSecurity,
  type TopicDurability,
} from '@session-authority/event-log';
import { migrateReadModel, openReadModel, pinTopic } from '@session-authority/read-model';

export interface PrepareOptions {
  readonly databaseUrl: string;
  readonly schema?: string;
  readonly brokers: readonly string[];
  readonly security?: KafkaSecurity;
  readonly topic: string;
  readonly partitions: number;
  readonly durability: TopicDurability;
  /** The compacted revocation feed, created beside the log with its partition count. */
  readonly feedTopic?: string;
  /** The compacted session state: created here, pinned by the projector once it is filled. */
  readonly stateTopic?: string;
}

/**
 * The setup step (compose's, npm start's, the tests'): runs the read model's migrations, creates
 * the log, the feed and the session state with their identity records, and pins the first two in
 * the read model. Idempotent;
 * throws LogReplacedError when the read model was made from another log.
 */
export async function prepareStores(
  options: PrepareOptions,
): Promise<{ topic: 'created' | 'exists' }> {
  const connection = {
    brokers: options.brokers,
    clientId: 'session-authority-setup',
    ...(options.security === undefined ? {} : { security: options.security }),
  };
  const { partitions, durability } = options;
  const spec = { partitions, ...durability };
  const orm = await openReadModel({
    url: options.databaseUrl,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    poolMax: 2,
  });
  try {
    await migrateReadModel(orm);
    const schema = orm.config.get('schema') ?? 'public';
    const topic = await ensureTopic(connection, { topic: options.topic, ...spec });
    await checkTopicDurability(connection, options.topic, durability);
    await pinTopic(orm.em, schema, await readTopicIdentity(connection, options.topic));
    if (options.feedTopic !== undefined) {
      await ensureCompactedTopic(connection, { topic: options.feedTopic, ...spec });
      await checkTopicDurability(connection, options.feedTopic, durability);
      await pinTopic(orm.em, schema, await readTopicIdentity(connection, options.feedTopic));
    }
    if (options.stateTopic !== undefined) {
      await ensureCompactedTopic(connection, { topic: options.stateTopic, ...spec });
      await checkTopicDurability(connection, options.stateTopic, durability);
    }
    return { topic };
  } finally {
    await orm.close();
  }
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
    durability: topicDurabilityOf(config),
    feedTopic: config.FEED_TOPIC,
    stateTopic: config.SESSION_STATE_TOPIC,
  });
}
