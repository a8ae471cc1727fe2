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
