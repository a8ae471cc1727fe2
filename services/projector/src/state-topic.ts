import type { Logger } from 'pino';
import {
  checkTopicDurability,
  createFeedWriter,
  ensureCompactedTopic,
  readTopicIdentity,
  type FeedWriter,
  type KafkaConnection,
  type TopicDurability,
} from '@session-authority/event-log';
import {
  isPinned,
  pinTopic,
  readStateSnapshot,
  stateEntriesOf,
  type ReadModelOrm,
  type StateRow,
} from '@session-authority/read-model';

export interface StateTopicOptions {
  readonly connection: KafkaConnection;
  readonly orm: ReadModelOrm;
  readonly schema: string;
  /** The log, and the number of partitions it has (the state has as many). */
  readonly topic: string;
  readonly partitions: number;
  readonly stateTopic: string;
  readonly durability: TopicDurability;
  readonly logger: Logger;
}

/**
 * Creates the session-state topic beside the log and returns its writer. A state topic this
 * schema has not followed from its first record (an upgrade, or a state topic deleted and made
 * again) is first filled from the read model, with a checkpoint at the offsets the rows stand at;
 * only then is it pinned, so a crash while filling starts the filling again.
 */
export async function openStateTopic(options: StateTopicOptions): Promise<FeedWriter> {
  const { connection, orm, schema, stateTopic, logger } = options;
  await ensureCompactedTopic(connection, {
    topic: stateTopic,
    partitions: options.partitions,
    ...options.durability,
  });
  await checkTopicDurability(connection, stateTopic, options.durability);
  const identity = await readTopicIdentity(connection, stateTopic);
  const writer = await createFeedWriter({ ...connection, topic: stateTopic });
  try {
    if (!(await isPinned(orm.em, schema, stateTopic))) {
      const started = performance.now();
      const rows = await fillFromReadModel(options, writer);
      if (rows > 0)
        logger.info(
          { stateTopic, rows, seconds: (performance.now() - started) / 1000 },
          'session state filled from the read model',
        );
    }
    await pinTopic(orm.em, schema, identity);
    return writer;
  } catch (error) {
    await writer.close();
    throw error;
  }
}

async function fillFromReadModel(options: StateTopicOptions, writer: FeedWriter) {
  let count = 0;
  const checkpoints = await readStateSnapshot(
    options.orm.em,
    options.schema,
    options.topic,
    async (rows) => {
      count += rows.length;
      const byPartition = new Map<number, StateRow[]>();
      for (const row of rows) {
        const list = byPartition.get(row.partition) ?? [];
        list.push(row);
        byPartition.set(row.partition, list);
      }
      await Promise.all([...byPartition].map(([p, list]) => writer.write(p, list)));
    },
  );
  // Every partition gets its checkpoint: 0 where the read model has applied nothing yet.
  for (let partition = 0; partition < options.partitions; partition++)
    await writer.write(partition, stateEntriesOf([], checkpoints.get(partition) ?? 0n));
  return count;
}
