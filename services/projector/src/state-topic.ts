import type { Logger } from 'pino';
import {
  checkTopicDurability,
  createFeedWriter,
  ensureCompactedTopic,
  readTopicIdentity,
  type FeedWriter,
  type KafkaConnection,
  type TopicDurability,
  type TopicIdentity,
} from '@session-authority/event-log';
import {
  isPinned,
  LogReplacedError,
  pinTopic,
  readStateSnapshot,
  rowsByPartition,
  stateEntriesOf,
  type ReadModelOrm,
  unpinTopic,
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
  if (identity.partitions !== options.partitions)
    throw new Error(
      `${stateTopic} has ${identity.partitions} partitions and the log ${options.partitions}: ` +
        "a session state needs the log's partition count; delete it or name another",
    );
  const writer = await createFeedWriter({ ...connection, topic: stateTopic });
  try {
    if (await followsFromStart(options, identity)) return writer;
    const started = performance.now();
    const rows = await fillFromReadModel(options, writer);
    logger.info(
      { stateTopic, rows, seconds: (performance.now() - started) / 1000 },
      'session state filled from the read model',
    );
    await pinTopic(orm.em, schema, identity);
    return writer;
  } catch (error) {
    await writer.close();
    throw error;
  }
}

/** Whether this schema has followed this very topic since it was made: no filling needed. */
async function followsFromStart(
  { orm, schema, stateTopic, logger }: StateTopicOptions,
  identity: TopicIdentity,
): Promise<boolean> {
  if (!(await isPinned(orm.em, schema, stateTopic))) return false;
  try {
    await pinTopic(orm.em, schema, identity);
    return true;
  } catch (error) {
    if (!(error instanceof LogReplacedError)) throw error;
    // The state is a copy of the read model, never the source of truth: made again, it is filled.
    logger.warn({ stateTopic }, 'the session-state topic was made again: filling it');
    await unpinTopic(orm.em, schema, stateTopic);
    return false;
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
      await Promise.all([...rowsByPartition(rows)].map(([p, list]) => writer.write(p, list)));
    },
  );
  // Every partition gets its checkpoint: 0 where the read model has applied nothing yet.
  for (let partition = 0; partition < options.partitions; partition++)
    await writer.write(partition, stateEntriesOf([], checkpoints.get(partition) ?? 0n));
  return count;
}
