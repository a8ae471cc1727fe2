import { CHAIN_START, chainNext } from './record-digest.js';

/** A record of the log, as verification reads it again. */
export interface LoggedRecord {
  readonly offset: bigint;
  readonly recordSha256: string;
  /** ce_id: names the record wherever it moves. */
  readonly eventId: string | null;
}

/** A row of audit_events, as stored. */
export interface StoredAuditRow {
  readonly offset: bigint;
  readonly recordSha256: string;
  readonly chainSha256: string;
  readonly eventId: string | null;
}

export type ChainDifferenceKind = 'altered' | 'missing' | 'extra' | 'reordered' | 'chain-broken';

export interface ChainDifference {
  readonly partition: number;
  readonly offset: bigint;
  readonly kind: ChainDifferenceKind;
  readonly detail: string;
}

/**
 * Follows one partition of the log against its rows of audit_events, both in offset order, from
 * where the chain stood at `start` (a checkpoint's head, or 32 zero bytes for the beginning of the
 * partition). The caller merges the two by offset: each record with the row at its offset, if
 * any; each row at an offset the log does not have; then the first row past the records read.
 * Holds the chain's head and at most one difference, never the records or the rows: a verify of
 * all of history runs in the memory of a page of rows.
 */
export class PartitionChainCheck {
  private chain: string;
  private found: ChainDifference | undefined;
  /** A row whose event is not at its offset: where in the rest of the log is that event? */
  private seeking: { readonly offset: bigint; readonly eventId: string } | undefined;

  constructor(
    private readonly partition: number,
    start: string = CHAIN_START,
  ) {
    this.chain = start;
  }

  /** The next record of the log (below the audit projection's next offset) and its row. */
  add(record: LoggedRecord, stored: StoredAuditRow | undefined): void {
    if (this.seeking !== undefined) {
      if (record.eventId === this.seeking.eventId) {
        this.found = this.at(
          this.seeking.offset,
          'reordered',
          `event ${this.seeking.eventId} is at offset ${record.offset} of the log`,
        );
        this.seeking = undefined;
      }
      return;
    }
    if (this.found !== undefined) return;
    this.chain = chainNext(this.chain, record.recordSha256);
    if (stored === undefined) {
      this.found = this.at(
        record.offset,
        'missing',
        'audit_events has no row for this record of the log',
      );
      return;
    }
    if (stored.recordSha256 !== record.recordSha256) {
      const event = stored.eventId;
      if (event === null || event === record.eventId)
        this.found = this.at(record.offset, 'altered', 'the row and the log record differ');
      // Every record before this one matched its row, event id included: the event of this row
      // can only be further on.
      else this.seeking = { offset: record.offset, eventId: event };
      return;
    }
    if (stored.chainSha256 !== this.chain)
      this.found = this.at(
        record.offset,
        'chain-broken',
        'the record matches; its chain_sha256 does not',
      );
  }

  /** A row below the next record's offset, at an offset the log does not have. */
  rowWithoutRecord(stored: StoredAuditRow): void {
    if (this.found === undefined && this.seeking === undefined)
      this.found = this.at(stored.offset, 'extra', 'a row for an offset the log does not have');
  }

  /** Once the partition was read: its first difference, given the first row past its records. */
  difference(pastTheRecords: StoredAuditRow | undefined): ChainDifference | undefined {
    if (this.seeking !== undefined)
      return this.at(
        this.seeking.offset,
        'missing',
        `the log no longer has event ${this.seeking.eventId}, which audit_events holds here`,
      );
    if (this.found !== undefined || pastTheRecords === undefined) return this.found;
    return this.at(
      pastTheRecords.offset,
      'extra',
      'a row past the records the audit projection has applied',
    );
  }

  private at(offset: bigint, kind: ChainDifferenceKind, detail: string): ChainDifference {
    return { partition: this.partition, offset, kind, detail };
  }
}

/**
 * Walks records and rows, both in offset order: each row below the next record's offset that no
 * record has, and each record with the row at its offset, if any. Returns how many rows it took.
 */
export function mergeByOffset<
  R extends { readonly offset: bigint },
  S extends { readonly offset: bigint },
>(
  records: readonly R[],
  rows: readonly S[],
  onRecord: (record: R, row: S | undefined) => void,
  onRowWithoutRecord: (row: S) => void,
): number {
  let taken = 0;
  for (const record of records) {
    for (
      let next = rows[taken];
      next !== undefined && next.offset < record.offset;
      next = rows[++taken]
    )
      onRowWithoutRecord(next);
    onRecord(record, rows[taken]?.offset === record.offset ? rows[taken++] : undefined);
  }
  return taken;
}

/** Merges records and rows by offset through PartitionChainCheck: the first difference, if any. */
export function firstChainDifference(
  partition: number,
  logged: readonly LoggedRecord[],
  stored: readonly StoredAuditRow[],
  start: string = CHAIN_START,
): ChainDifference | undefined {
  const check = new PartitionChainCheck(partition, start);
  const taken = mergeByOffset(
    logged,
    stored,
    (record, row) => check.add(record, row),
    (row) => check.rowWithoutRecord(row),
  );
  return check.difference(stored[taken]);
}
