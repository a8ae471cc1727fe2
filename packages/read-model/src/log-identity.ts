import type { EntityManager } from '@mikro-orm/postgresql';
import { qualified } from './sql.js';

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
 * Records a topic's partition count the first time (`record`), or checks it against the record;
 * throws PartitionCountChangedError on a difference. Without `record`, an unrecorded topic passes.
 */
export async function checkPartitionCount(
  em: EntityManager,
  schema: string,
  topic: string,
  partitions: number,
  options: { readonly record: boolean },
): Promise<void> {
  const table = qualified(schema, 'log_topics');
  if (options.record) {
    await em
      .fork()
      .execute(
        `insert into ${table} (topic, partitions, recorded_at) values (?, ?, now()) on conflict do nothing`,
        [topic, partitions],
      );
  }
  const [row] = await em
    .fork()
    .execute<{ partitions: number }[]>(`select partitions from ${table} where topic = ?`, [topic]);
  if (row !== undefined && row.partitions !== partitions)
    throw new PartitionCountChangedError(topic, row.partitions, partitions);
}
