import type { EntityManager } from '@mikro-orm/postgresql';
import type { SessionFacts } from '@session-authority/audit';
import {
  beginSnapshot,
  readAuditRows,
  readProjectionEnds,
  readQuarantineRows,
  readSessionFacts,
  type ProjectionEnds,
  type SnapshotAuditRow,
} from './snapshot-reads.js';

export type { SnapshotAuditRow } from './snapshot-reads.js';

/** What `npm run audit -- verify` compares with the log, read as of one instant. */
export interface VerificationSnapshot extends ProjectionEnds {
  /** PostgreSQL's snapshot (pg_snapshot text): a checkpoint of this verification names it. */
  readonly pgSnapshot: string;
  /** audit_events of the topic, per partition, in offset order, with a digest of the shown columns. */
  readonly auditRows: ReadonlyMap<number, SnapshotAuditRow[]>;
  /** quarantined_records of the topic: its shown columns, by `partition:offset`. */
  readonly quarantine: ReadonlyMap<string, Record<string, string | null>>;
  readonly sessions: readonly SessionFacts[];
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
    const pgSnapshot = await beginSnapshot(client);
    const ends = await readProjectionEnds(client, schema, topic);
    const auditRows = await readAuditRows(client, schema, topic);
    const quarantine = await readQuarantineRows(client, schema, topic);
    const sessions = await readSessionFacts(client, schema);
    await client.query('commit');
    return { ...ends, pgSnapshot, auditRows, quarantine, sessions };
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}
