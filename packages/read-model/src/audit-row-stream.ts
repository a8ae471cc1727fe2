import type pg from 'pg';
import { AUDIT_COLUMNS_DIGEST_SQL } from './audited-columns.js';
import type { SnapshotAuditRow } from './snapshot-reads.js';
import { qualified } from './sql.js';

/**
 * One partition's rows of audit_events in offset order, handed out as the log is read: a
 * verification holds a page of them at a time, not all of history.
 */
export interface AuditRowStream {
  /** The rows with offsets below `end` not handed out before. */
  below(end: bigint): Promise<readonly SnapshotAuditRow[]>;
  /** Every row not handed out yet. */
  rest(): Promise<readonly SnapshotAuditRow[]>;
}

/** Rows read, or being read, as a stream: a reader of the log need not wait for them to decode. */
export function arrayRowStream(
  read: readonly SnapshotAuditRow[] | Promise<readonly SnapshotAuditRow[]>,
): AuditRowStream {
  let at = 0;
  return {
    async below(end) {
      const rows = await read;
      const from = at;
      while (at < rows.length && (rows[at]?.offset ?? end) < end) at++;
      return rows.slice(from, at);
    },
    async rest() {
      const rows = await read;
      const from = at;
      at = rows.length;
      return rows.slice(from);
    },
  };
}

export interface AuditRowKeys {
  log_partition: number;
  log_offset: string;
  record_sha256: string;
  chain_sha256: string;
  event_id: string | null;
  columns_digest: string;
}

/** The columns verification reads of an audit row: its keys, and PostgreSQL's digest of the rest. */
export const AUDIT_ROW_KEYS_SQL = `a.log_partition, a.log_offset, a.record_sha256, a.chain_sha256,
  a.event_id, ${AUDIT_COLUMNS_DIGEST_SQL} as columns_digest`;

export function snapshotAuditRow(row: AuditRowKeys): SnapshotAuditRow {
  return {
    offset: BigInt(row.log_offset),
    recordSha256: row.record_sha256,
    chainSha256: row.chain_sha256,
    eventId: row.event_id,
    columnsDigest: row.columns_digest,
  };
}

const PAGE = 5000;

/** One statement at a time on a connection that several readers share (pg wants no overlap). */
export type SerialQuery = <R extends pg.QueryResultRow>(
  text: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

/** What runs a statement: a connection, or a SerialQuery of one that several readers share. */
export interface Reader {
  readonly query: SerialQuery;
}

/** A snapshot's connection that several readers share, until the snapshot gives it back. */
export interface SerialConnection extends Reader {
  /**
   * Runs `last` in its turn, behind what is queued (read-ahead pages, say), then gives the
   * connection back; anything asked for after this fails: a released connection may already
   * serve someone else.
   */
  release(last: string): Promise<void>;
}

export function serialConnection(client: pg.PoolClient): SerialConnection {
  let queue: Promise<unknown> = Promise.resolve();
  let released = false;
  const query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
    if (released) return Promise.reject(new Error('the snapshot is closed'));
    const result = queue.then(() => client.query<R>(text, values));
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    query,
    async release(last) {
      const ran = query(last).catch(() => undefined);
      released = true;
      await ran;
      client.release();
    },
  };
}

/**
 * A partition's rows through a cursor of one transaction (a range of the primary key). The next
 * page is asked for while the one before is still being compared, so that PostgreSQL reads rows
 * while the log is decoded. The cursors of several partitions share the connection.
 */
export function cursorRowStream(
  query: SerialQuery,
  schema: string,
  topic: string,
  partition: number,
): AuditRowStream {
  const cursor = `audit_rows_${partition}`;
  let declared: Promise<unknown> | undefined;
  let next: Promise<SnapshotAuditRow[]> | undefined;
  let buffered: SnapshotAuditRow[] = [];
  let at = 0;
  let exhausted = false;

  const fetchPage = (): Promise<SnapshotAuditRow[]> => {
    declared ??= query(
      `declare ${cursor} no scroll cursor for
       select ${AUDIT_ROW_KEYS_SQL} from ${qualified(schema, 'audit_events')} a
       where a.topic = $1 and a.log_partition = $2 order by a.log_offset`,
      [topic, partition],
    );
    next ??= declared
      .then(() => query<AuditRowKeys>(`fetch ${PAGE} from ${cursor}`))
      .then((page) => page.rows.map(snapshotAuditRow));
    // Read ahead: a failure surfaces when the page is taken, never as an unhandled rejection.
    next.catch(() => undefined);
    return next;
  };
  /** Once every buffered row was handed out: takes the page asked for; false when none is left. */
  const takePage = async (): Promise<boolean> => {
    if (exhausted) return false;
    buffered = await fetchPage();
    next = undefined;
    at = 0;
    if (buffered.length < PAGE) exhausted = true;
    return buffered.length > 0;
  };
  const take = async (keep: (row: SnapshotAuditRow) => boolean) => {
    const out: SnapshotAuditRow[] = [];
    for (;;) {
      for (let row = buffered[at]; row !== undefined && keep(row); row = buffered[++at])
        out.push(row);
      if (at < buffered.length || !(await takePage())) break;
    }
    if (!exhausted && buffered.length - at < PAGE / 2) void fetchPage();
    return out;
  };
  return {
    below: (end) => take((row) => row.offset < end),
    rest: () => take(() => true),
  };
}
