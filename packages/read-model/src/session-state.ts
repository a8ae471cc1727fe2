import type { PreCommitBatch, SqlContext } from './projection.js';

// The session-state topic: a compacted copy of the sessions projection (one record per session,
// its row as JSON) and of quarantined_records, written by the projector before each batch
// commits, with a checkpoint per partition. A rebuild starts from it instead of from offset 0.

/** The key of each state partition's checkpoint: every log record below `next` is in the state. */
export const STATE_CHECKPOINT_KEY = '~checkpoint';
/** Quarantined records are keyed by their log offset (their partition is the state partition's). */
export const QUARANTINED_KEY_PREFIX = '~quarantined:';

/** One row as the state holds it: the log partition, its key and the row as JSON text. */
export interface StateRow {
  readonly partition: number;
  readonly key: string;
  readonly value: string;
}

export interface StateCheckpoint {
  readonly next: string;
}

/**
 * A select, run in the batch's transaction after the projections' statements, of every row the
 * batches leave behind: each session they touch, each record they quarantine.
 */
export function stateReadBack(
  batches: readonly PreCommitBatch[],
  sql: SqlContext,
): string | undefined {
  const sessions = new Set<string>();
  const quarantined: string[] = [];
  for (const batch of batches) {
    for (const { event } of batch.events) sessions.add(event.data.session_id);
    for (const q of batch.quarantined) {
      sessions.add(q.sessionId);
      quarantined.push(`(${batch.partition}, ${q.offset})`);
    }
  }
  const selects: string[] = [];
  if (sessions.size > 0)
    selects.push(`select log_partition as partition, id::text as key, to_jsonb(s)::text as value
       from ${sql.table('sessions')} s
       where id = any(${sql.literal(`{${[...sessions].join(',')}}`)}::uuid[])`);
  if (quarantined.length > 0)
    selects.push(`select log_partition, ${sql.literal(QUARANTINED_KEY_PREFIX)} || log_offset,
         to_jsonb(q)::text
       from ${sql.table('quarantined_records')} q
       where topic = ${sql.literal(sql.topic)}
         and (log_partition, log_offset) in (values ${quarantined.join(', ')})`);
  return selects.length === 0 ? undefined : selects.join('\n union all ');
}

/** The state's entries for one batch's rows of one partition, then its checkpoint. */
export function stateEntriesOf(
  rows: readonly StateRow[],
  nextOffset: bigint,
): { key: string; value: string }[] {
  const checkpoint: StateCheckpoint = { next: nextOffset.toString() };
  return [
    ...rows.map(({ key, value }) => ({ key, value })),
    { key: STATE_CHECKPOINT_KEY, value: JSON.stringify(checkpoint) },
  ];
}

/** The rows of each state partition, in their order. */
export function rowsByPartition(rows: readonly StateRow[]): Map<number, StateRow[]> {
  const byPartition = new Map<number, StateRow[]>();
  for (const row of rows) {
    const list = byPartition.get(row.partition) ?? [];
    list.push(row);
    byPartition.set(row.partition, list);
  }
  return byPartition;
}
