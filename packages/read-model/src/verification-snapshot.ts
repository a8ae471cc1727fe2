import type { EntityManager } from '@mikro-orm/postgresql';
import type { SessionFacts } from '@session-authority/audit';
import { cursorRowStream, serialConnection, type AuditRowStream } from './audit-row-stream.js';
import {
  beginSnapshot,
  readProjectionEnds,
  readQuarantineRows,
  readSessionFacts,
  type ProjectionEnds,
} from './snapshot-reads.js';

export type { SnapshotAuditRow } from './snapshot-reads.js';

/** What `npm run audit -- verify` compares with the log, as of one instant; close() ends it. */
export interface VerificationSnapshot extends ProjectionEnds {
  /** PostgreSQL's snapshot (pg_snapshot text): a checkpoint of this verification names it. */
  readonly pgSnapshot: string;
  /**
   * audit_events of one partition of the topic, in offset order, with a digest of the shown
   * columns: read a page at a time while the log is, as of the same instant.
   */
  auditRows(partition: number): AuditRowStream;
  /** quarantined_records of the topic: its shown columns, by `partition:offset`. */
  readonly quarantine: ReadonlyMap<string, Record<string, string | null>>;
  /** The sessions rows, read when asked: after the log, so that they are not held while it is. */
  sessions(): Promise<SessionFacts[]>;
  close(): Promise<void>;
}

/**
 * Reads both projections and their offsets in ONE repeatable-read transaction, so that a
 * projector applying batches meanwhile cannot make rows and offsets disagree. The transaction
 * stays open until close(): the audit rows are read through it while the log is.
 */
export async function openVerificationSnapshot(
  em: EntityManager,
  schema: string,
  topic: string,
): Promise<VerificationSnapshot> {
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  const connection = serialConnection(client);
  const close = () => connection.release('rollback');
  try {
    const pgSnapshot = await beginSnapshot(client);
    const ends = await readProjectionEnds(client, schema, topic);
    const quarantine = await readQuarantineRows(client, schema, topic);
    return {
      ...ends,
      pgSnapshot,
      auditRows: (partition) => cursorRowStream(connection.query, schema, topic, partition),
      quarantine,
      sessions: () => readSessionFacts(connection, schema),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
