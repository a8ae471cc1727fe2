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
 * The first record of one partition whose hash, order or presence differs between the log and
 * audit_events, or undefined when they agree. `logged` are the log's records below the audit
 * projection's next offset, in offset order; `stored` the rows of that partition, in offset order;
 * both from the same offset on, where the chain stood at `start` (a checkpoint's head, or 32 zero
 * bytes for the beginning of the partition).
 */
export function firstChainDifference(
  partition: number,
  logged: readonly LoggedRecord[],
  stored: readonly StoredAuditRow[],
  start: string = CHAIN_START,
): ChainDifference | undefined {
  const at = (offset: bigint, kind: ChainDifferenceKind, detail: string) => ({
    partition,
    offset,
    kind,
    detail,
  });
  // Only a difference needs to know where an event is in the log.
  const loggedOffsetOf = (eventId: string) => logged.find((r) => r.eventId === eventId)?.offset;
  let chain = start;
  let row = 0;
  for (const record of logged) {
    chain = chainNext(chain, record.recordSha256);
    const stored_ = stored[row];
    if (stored_ !== undefined && stored_.offset < record.offset)
      return at(stored_.offset, 'extra', 'a row for an offset the log does not have');
    if (stored_ === undefined || stored_.offset > record.offset)
      return at(record.offset, 'missing', 'audit_events has no row for this record of the log');
    row += 1;
    if (stored_.recordSha256 !== record.recordSha256) {
      const event = stored_.eventId;
      const movedTo = event === null ? undefined : loggedOffsetOf(event);
      if (event === null || event === record.eventId)
        return at(record.offset, 'altered', 'the row and the log record differ');
      if (movedTo === undefined)
        return at(
          record.offset,
          'missing',
          `the log no longer has event ${event}, which audit_events holds here`,
        );
      return at(record.offset, 'reordered', `event ${event} is at offset ${movedTo} of the log`);
    }
    if (stored_.chainSha256 !== chain)
      return at(record.offset, 'chain-broken', 'the record matches; its chain_sha256 does not');
  }
  const extra = stored[row];
  return extra === undefined
    ? undefined
    : at(extra.offset, 'extra', 'a row past the records the audit projection has applied');
}
