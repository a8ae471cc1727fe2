import type { EntityManager } from '@mikro-orm/postgresql';
import { qualified } from './sql.js';

export interface QuarantinedRow {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly sessionId: string;
  readonly type: string | null;
  readonly problem: string;
  readonly quarantinedAt: Date;
}

/** Every quarantined record, oldest first. */
export async function listQuarantined(
  em: EntityManager,
  schema: string,
): Promise<QuarantinedRow[]> {
  const rows = await em.fork().execute<
    {
      topic: string;
      log_partition: number;
      log_offset: string;
      session_id: string;
      type: string | null;
      problem: string;
      quarantined_at: Date | string;
    }[]
  >(
    `select topic, log_partition, log_offset, session_id, type, problem, quarantined_at
       from ${qualified(schema, 'quarantined_records')} order by quarantined_at, topic, log_partition, log_offset`,
  );
  return rows.map((row) => ({
    topic: row.topic,
    partition: row.log_partition,
    offset: BigInt(row.log_offset),
    sessionId: row.session_id,
    type: row.type,
    problem: row.problem,
    quarantinedAt: new Date(row.quarantined_at),
  }));
}

/**
 * An operator's way past a record that halts a partition (one with no session id as key): every
 * projection that stands exactly at it moves one past, and the record is noted in
 * quarantined_records (the nil session id) in the same transaction. False when no projection
 * stands at that offset, which changes nothing.
 */
export async function skipHaltingRecord(
  em: EntityManager,
  schema: string,
  at: { readonly topic: string; readonly partition: number; readonly offset: bigint },
): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    const moved = await tx.execute<{ projection: string }[]>(
      `update ${qualified(schema, 'projection_offsets')} set next_offset = next_offset + 1, updated_at = now()
         where topic = ? and partition = ? and next_offset = ? returning projection`,
      [at.topic, at.partition, at.offset.toString()],
    );
    if (moved.length === 0) return false;
    await tx.execute(
      `insert into ${qualified(schema, 'quarantined_records')}
         (topic, log_partition, log_offset, session_id, type, problem, quarantined_at)
       values (?, ?, ?, '00000000-0000-0000-0000-000000000000', null, ?, now()) on conflict do nothing`,
      [
        at.topic,
        at.partition,
        at.offset.toString(),
        'skipped by an operator: no session id as key',
      ],
    );
    return true;
  });
}
