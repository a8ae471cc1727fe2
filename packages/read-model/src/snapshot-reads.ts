import type pg from 'pg';
import type { SessionFacts, StoredAuditRow } from '@session-authority/audit';
import { AUDIT_PROJECTION } from './audit-projection.js';
import {
  AUDIT_ROW_KEYS_SQL,
  snapshotAuditRow,
  type AuditRowKeys,
  type Reader,
} from './audit-row-stream.js';
import { canonicalColumns, QUARANTINE_COLUMNS } from './audited-columns.js';
import { QUARANTINE_PROJECTION } from './quarantine-projection.js';
import { SESSIONS_PROJECTION } from './sessions-projection.js';
import { qualified } from './sql.js';

/** Reads of one repeatable-read transaction that verification makes (both kinds share them). */

export interface SnapshotAuditRow extends StoredAuditRow {
  readonly columnsDigest: string;
}

export interface ProjectionEnds {
  /** Per partition, where each projection stands: the log is read up to there. */
  readonly auditOffsets: ReadonlyMap<number, bigint>;
  readonly sessionsOffsets: ReadonlyMap<number, bigint>;
  readonly quarantineOffsets: ReadonlyMap<number, bigint>;
}

/** Partition → offset, as two arrays PostgreSQL can unnest into rows. */
export function offsetArrays(from: ReadonlyMap<number, bigint>): [number[], string[]] {
  return [[...from.keys()], [...from.values()].map(String)];
}

/**
 * A second connection that reads exactly what `client` reads (its snapshot, exported), so that
 * two scans of one instant run at once. `client`'s transaction must stay open until this is ready.
 */
export async function joinSnapshot(
  client: pg.PoolClient,
  pool: pg.Pool,
): Promise<{ readonly client: pg.PoolClient; close(): Promise<void> }> {
  const { rows } = await client.query<{ id: string }>('select pg_export_snapshot() as id');
  const twin = await pool.connect();
  const close = async () => {
    await twin.query('rollback').catch(() => undefined);
    twin.release();
  };
  try {
    await twin.query('begin isolation level repeatable read read only');
    await twin.query(`set transaction snapshot ${twin.escapeLiteral(rows[0]?.id ?? '')}`);
    return { client: twin, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function beginSnapshot(client: pg.PoolClient): Promise<string> {
  await client.query('begin isolation level repeatable read read only');
  const { rows } = await client.query<{ snapshot: string }>(
    'select pg_current_snapshot()::text as snapshot',
  );
  return rows[0]?.snapshot ?? '';
}

export async function readProjectionEnds(
  client: pg.PoolClient,
  schema: string,
  topic: string,
): Promise<ProjectionEnds> {
  const offsets = await client.query<{
    projection: string;
    partition: number;
    next_offset: string;
  }>(
    `select projection, partition, next_offset from ${qualified(schema, 'projection_offsets')}
     where topic = $1 and projection = any($2)`,
    [topic, [AUDIT_PROJECTION, SESSIONS_PROJECTION, QUARANTINE_PROJECTION]],
  );
  const offsetsOf = (projection: string) =>
    new Map(
      offsets.rows
        .filter((row) => row.projection === projection)
        .map((row) => [row.partition, BigInt(row.next_offset)]),
    );
  return {
    auditOffsets: offsetsOf(AUDIT_PROJECTION),
    sessionsOffsets: offsetsOf(SESSIONS_PROJECTION),
    quarantineOffsets: offsetsOf(QUARANTINE_PROJECTION),
  };
}

/**
 * audit_events of the topic from the given offsets on (a checkpoint's), per partition in offset
 * order, each row's shown columns as PostgreSQL's digest of them. All of history is read through
 * cursorRowStream instead, a page at a time.
 */
export async function readAuditRows(
  client: Reader,
  schema: string,
  topic: string,
  from: ReadonlyMap<number, bigint>,
): Promise<Map<number, SnapshotAuditRow[]>> {
  // One range of the primary key per partition, not a scan of all history. The `offset 0` fence
  // keeps it so: PostgreSQL cannot see how near the end the offsets are, and without it joined a
  // scan of the whole table (seconds, for a million rows, to return two thousand).
  const { rows } = await client.query<AuditRowKeys>(
    `select ${AUDIT_ROW_KEYS_SQL} from unnest($2::int[], $3::bigint[]) as f(partition, start)
     cross join lateral (select * from ${qualified(schema, 'audit_events')} t
       where t.topic = $1 and t.log_partition = f.partition and t.log_offset >= f.start
       offset 0) a
     order by a.log_partition, a.log_offset`,
    [topic, ...offsetArrays(from)],
  );
  const auditRows = new Map<number, SnapshotAuditRow[]>();
  for (const row of rows) {
    const list = auditRows.get(row.log_partition) ?? [];
    list.push(snapshotAuditRow(row));
    auditRows.set(row.log_partition, list);
  }
  return auditRows;
}

/** quarantined_records of the topic from the given offsets on: shown columns by `partition:offset`. */
export async function readQuarantineRows(
  client: Reader,
  schema: string,
  topic: string,
  from: ReadonlyMap<number, bigint> = new Map(),
): Promise<Map<string, Record<string, string | null>>> {
  const quarantined = await client.query<Record<string, unknown> & AuditRowKeys>(
    `select q.log_partition, q.log_offset, ${QUARANTINE_COLUMNS.map((c) => `q.${c}`).join(', ')}
     from ${qualified(schema, 'quarantined_records')} q
     left join unnest($2::int[], $3::bigint[]) as f(partition, start) on f.partition = q.log_partition
     where q.topic = $1 and q.log_offset >= coalesce(f.start, 0)`,
    [topic, ...offsetArrays(from)],
  );
  return new Map(
    quarantined.rows.map((row) => [
      `${row.log_partition}:${row.log_offset}`,
      canonicalColumns(QUARANTINE_COLUMNS, row),
    ]),
  );
}

/** The sessions rows verification compares; all of them, or those with these ids. */
export async function readSessionFacts(
  client: Reader,
  schema: string,
  ids?: readonly string[],
): Promise<SessionFacts[]> {
  const sessions = await client.query<SessionFactsRow>(
    ids === undefined
      ? `select id, revoked_at, revoke_reason, expires_at from ${qualified(schema, 'sessions')}`
      : // One primary-key lookup per id, however stale the table's statistics.
        `select t.id, t.revoked_at, t.revoke_reason, t.expires_at from unnest($1::uuid[]) as s(id)
         cross join lateral (select * from ${qualified(schema, 'sessions')} x
           where x.id = s.id offset 0) t`,
    ids === undefined ? [] : [ids],
  );
  return sessions.rows.map(sessionFactsOf);
}

/** A sessions row's compared columns, as pg gives them or as text (from json). */
export interface SessionFactsRow {
  readonly id: string;
  readonly revoked_at: Date | string | null;
  readonly revoke_reason: string | null;
  readonly expires_at: Date | string;
}

export function sessionFactsOf(row: SessionFactsRow): SessionFacts {
  return {
    id: row.id,
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    revokeReason: row.revoke_reason,
    expiresAt: new Date(row.expires_at),
  };
}
