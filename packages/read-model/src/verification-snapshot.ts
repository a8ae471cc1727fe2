import type { EntityManager } from '@mikro-orm/postgresql';
import type { SessionFacts, StoredAuditRow } from '@session-authority/audit';
import { AUDIT_PROJECTION } from './audit-projection.js';
import {
  AUDIT_COLUMNS_DIGEST_SQL,
  canonicalColumns,
  QUARANTINE_COLUMNS,
} from './audited-columns.js';
import { QUARANTINE_PROJECTION } from './quarantine-projection.js';
import { SESSIONS_PROJECTION } from './sessions-projection.js';
import { qualified } from './sql.js';

export interface SnapshotAuditRow extends StoredAuditRow {
  readonly columnsDigest: string;
}

/** What `npm run audit -- verify` compares with the log, read as of one instant. */
export interface VerificationSnapshot {
  /** Per partition, where each projection stands: the log is read up to there. */
  readonly auditOffsets: ReadonlyMap<number, bigint>;
  readonly sessionsOffsets: ReadonlyMap<number, bigint>;
  readonly quarantineOffsets: ReadonlyMap<number, bigint>;
  /** audit_events of the topic, per partition, in offset order, with a digest of the shown columns. */
  readonly auditRows: ReadonlyMap<number, SnapshotAuditRow[]>;
  /** quarantined_records of the topic: its shown columns, by `partition:offset`. */
  readonly quarantine: ReadonlyMap<string, Record<string, string | null>>;
  readonly sessions: readonly SessionFacts[];
}

interface AuditRowKeys {
  log_partition: number;
  log_offset: string;
  record_sha256: string;
  chain_sha256: string;
  event_id: string | null;
}

/**
 * Reads both projections and their offsets in ONE repeatable-read transaction, so that a
 * projector applying batches meanwhile cannot make rows and offsets disagree.
 */
export async function readVerificationSnapshot(
  em: EntityManager,
  schema: string,
  topic: string,
): Promise<VerificationSnapshot> {
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
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
    // Paged through a cursor; each row's shown columns arrive as PostgreSQL's digest of them.
    await client.query(
      `declare audit_rows no scroll cursor for
       select log_partition, log_offset, record_sha256, chain_sha256, event_id,
         ${AUDIT_COLUMNS_DIGEST_SQL} as columns_digest
       from ${qualified(schema, 'audit_events')} where topic = $1
       order by log_partition, log_offset`,
      [topic],
    );
    const auditRows = new Map<number, SnapshotAuditRow[]>();
    for (;;) {
      const page = await client.query<AuditRowKeys & { columns_digest: string }>(
        'fetch 10000 from audit_rows',
      );
      for (const row of page.rows) {
        const list = auditRows.get(row.log_partition) ?? [];
        list.push({
          offset: BigInt(row.log_offset),
          recordSha256: row.record_sha256,
          chainSha256: row.chain_sha256,
          eventId: row.event_id,
          columnsDigest: row.columns_digest,
        });
        auditRows.set(row.log_partition, list);
      }
      if (page.rows.length < 10000) break;
    }
    await client.query('close audit_rows');
    const quarantined = await client.query<Record<string, unknown> & AuditRowKeys>(
      `select log_partition, log_offset, ${QUARANTINE_COLUMNS.join(', ')}
       from ${qualified(schema, 'quarantined_records')} where topic = $1`,
      [topic],
    );
    const quarantine = new Map(
      quarantined.rows.map((row) => [
        `${row.log_partition}:${row.log_offset}`,
        canonicalColumns(QUARANTINE_COLUMNS, row),
      ]),
    );
    const sessions = await client.query<{
      id: string;
      revoked_at: Date | null;
      revoke_reason: string | null;
      expires_at: Date;
    }>(`select id, revoked_at, revoke_reason, expires_at from ${qualified(schema, 'sessions')}`);
    await client.query('commit');
    return {
      auditOffsets: offsetsOf(AUDIT_PROJECTION),
      sessionsOffsets: offsetsOf(SESSIONS_PROJECTION),
      quarantineOffsets: offsetsOf(QUARANTINE_PROJECTION),
      auditRows,
      quarantine,
      sessions: sessions.rows.map((row) => ({
        id: row.id,
        revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
        revokeReason: row.revoke_reason,
        expiresAt: new Date(row.expires_at),
      })),
    };
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}
