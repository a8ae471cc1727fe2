import type { EntityManager } from '@mikro-orm/postgresql';
import { qualified } from './sql.js';

/** A topic as the brokers serve it now (what event-log's readTopicIdentity reads). */
export interface ObservedTopic {
  readonly topic: string;
  readonly clusterId: string;
  readonly partitions: number;
  /** undefined: partition 0 is empty, the topic has no identity record yet. */
  readonly topicId: string | undefined;
}

/** The log's partition count is not the one this read model first saw: refuse to start. */
export class PartitionCountChangedError extends Error {
  constructor(topic: string, recorded: number, found: number) {
    super(
      `topic ${topic} has ${found} partitions, but had ${recorded} when this read model first saw it; ` +
        'more partitions would move sessions to other partitions and break the order of their events. ' +
        `Restore the topic to ${recorded} partitions, or start a new topic and rebuild into a new schema.`,
    );
    this.name = 'PartitionCountChangedError';
  }
}

/**
 * The brokers serve another log under the same topic name (a new cluster, a restored one, a topic
 * deleted and created again): the read model's positions are not positions of this log.
 */
export class LogReplacedError extends Error {
  constructor(
    readonly topic: string,
    readonly pinned: { readonly clusterId: string; readonly topicId: string },
    readonly found: { readonly clusterId: string; readonly topicId: string },
  ) {
    super(
      `topic ${topic} is not the log this read model follows: it was made from cluster ` +
        `${pinned.clusterId} topic ${pinned.topicId}, the brokers now serve cluster ` +
        `${found.clusterId} topic ${found.topicId}. Its positions belong to the other log, so nothing ` +
        'may be confirmed against them. To follow this log, rebuild a read model from it into a new ' +
        'schema (npm run rebuild -- --schema NAME) and point DATABASE_SCHEMA at it, or reset the ' +
        'database; to keep this read model, point KAFKA_BROKERS back at the log it was made from.',
    );
    this.name = 'LogReplacedError';
  }
}

/** The topic has no identity record: it was made by hand and the setup step never ran on it. */
export class UnmarkedTopicError extends Error {
  constructor(topic: string) {
    super(
      `topic ${topic} has no identity record (partition 0 is empty); ` +
        'run the setup step (npm run migrate) to write it before starting the services',
    );
    this.name = 'UnmarkedTopicError';
  }
}

/**
 * Pins a topic's partition count and identity the first time this read model sees it, and on
 * every later start checks the brokers still serve that topic: throws PartitionCountChangedError,
 * LogReplacedError or UnmarkedTopicError. A row pinned before identities were recorded gets its
 * identity now.
 */
export async function pinTopic(
  em: EntityManager,
  schema: string,
  observed: ObservedTopic,
): Promise<void> {
  const { topic, clusterId, topicId, partitions } = observed;
  if (topicId === undefined) throw new UnmarkedTopicError(topic);
  const table = qualified(schema, 'log_topics');
  const fork = em.fork();
  await fork.execute(
    `insert into ${table} (topic, partitions, recorded_at, cluster_id, topic_id)
     values (?, ?, now(), ?, ?)
     on conflict (topic) do update set cluster_id = excluded.cluster_id, topic_id = excluded.topic_id
     where ${table}.cluster_id is null`,
    [topic, partitions, clusterId, topicId],
  );
  const [row] = await fork.execute<{ partitions: number; cluster_id: string; topic_id: string }[]>(
    `select partitions, cluster_id, topic_id from ${table} where topic = ?`,
    [topic],
  );
  if (row === undefined) throw new Error(`log_topics has no row for ${topic}`);
  if (row.cluster_id !== clusterId || row.topic_id !== topicId)
    throw new LogReplacedError(
      topic,
      { clusterId: row.cluster_id, topicId: row.topic_id },
      { clusterId, topicId },
    );
  if (row.partitions !== partitions)
    throw new PartitionCountChangedError(topic, row.partitions, partitions);
}

/** Whether the schema has pinned this topic: it has followed it since its first record. */
export async function isPinned(em: EntityManager, schema: string, topic: string): Promise<boolean> {
  const rows = await em
    .fork()
    .execute<{ topic: string }[]>(
      `select topic from ${qualified(schema, 'log_topics')} where topic = ?`,
      [topic],
    );
  return rows.length > 0;
}

/** Forgets a pinned topic, so that the next pin records the topic the brokers serve now. */
export async function unpinTopic(em: EntityManager, schema: string, topic: string): Promise<void> {
  await em
    .fork()
    .execute(`delete from ${qualified(schema, 'log_topics')} where topic = ?`, [topic]);
}
