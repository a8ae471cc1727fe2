import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { QUARANTINE_PROJECTION } from './quarantine-projection.js';
import { SESSIONS_PROJECTION } from './sessions-projection.js';
import { QUARANTINED_KEY_PREFIX, type StateRow } from './session-state.js';
import { qualified } from './sql.js';

const PAGE = 5000;

/**
 * Every row of the sessions projection and of quarantined_records, page by page, as of one
 * snapshot of PostgreSQL; returns per partition the offset the rows stand at (the lower of the
 * two projections'). What seeds a session-state topic created beside a read model with history.
 */
export async function readStateSnapshot(
  em: EntityManager,
  schema: string,
  topic: string,
  onRows: (rows: readonly StateRow[]) => Promise<void>,
): Promise<Map<number, bigint>> {
  const pool = await em.getConnection().getNativeClient();
  const client: pg.PoolClient = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const offsets = await client.query<{ partition: number; next: string }>(
      `select partition, min(next_offset) as next from ${qualified(schema, 'projection_offsets')}
       where topic = $1 and projection in ($2, $3) group by partition`,
      [topic, SESSIONS_PROJECTION, QUARANTINE_PROJECTION],
    );
    const sessions = `select log_partition as partition, id::text as key, to_jsonb(s)::text as value
      from ${qualified(schema, 'sessions')} s`;
    // Keyset pages: each one starts in the primary key where the last one ended.
    let page = await client.query<StateRow>(`${sessions} order by id limit ${PAGE}`);
    while (page.rows.length > 0) {
      await onRows(page.rows);
      const last = page.rows.at(-1)?.key;
      if (page.rows.length < PAGE || last === undefined) break;
      page = await client.query<StateRow>(`${sessions} where id > $1 order by id limit ${PAGE}`, [
        last,
      ]);
    }
    const quarantined = await client.query<StateRow>(
      `select log_partition as partition, $2 || log_offset as key, to_jsonb(q)::text as value
       from ${qualified(schema, 'quarantined_records')} q where topic = $1`,
      [topic, QUARANTINED_KEY_PREFIX],
    );
    if (quarantined.rows.length > 0) await onRows(quarantined.rows);
    await client.query('commit');
    return new Map(offsets.rows.map((row) => [row.partition, BigInt(row.next)]));
  } catch (error) {
    // Never back into the pool inside a transaction.
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
