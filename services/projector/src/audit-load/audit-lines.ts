import { chainNext } from '@session-authority/audit';
import { decodeRecords, type PositionedRecord } from '@session-authority/events';
import { auditCopyLine, auditRowOf } from '@session-authority/read-model';
import { LineBuffer } from './line-buffer.js';

/** About what a row of audit_events takes in COPY's text format; the buffer grows if not. */
const BYTES_PER_LINE = 1024;

/**
 * One partition's records as audit_events rows in COPY's text format (UTF-8), exactly the rows the
 * projector writes for them (the same decoding, columns, hashes and chain), the chain continuing
 * from `head`. Throws at a record that would halt the partition.
 */
export function auditLinesOf(
  topic: string,
  partition: number,
  records: readonly PositionedRecord[],
  head: string,
): { lines: Uint8Array<ArrayBuffer>; head: string } {
  const decoded = decodeRecords(records);
  if (decoded.halt !== undefined)
    throw new Error(
      `a poison record halts partition ${partition} at offset ${decoded.halt.offset}: ${decoded.halt.problem}`,
    );
  const problems = new Map(decoded.quarantined.map((q) => [q.offset, q.problem]));
  const lines = new LineBuffer(records.length * BYTES_PER_LINE);
  for (const [i, record] of records.entries()) {
    const row = auditRowOf(partition, record, problems.get(record.offset), decoded.reads[i]);
    head = chainNext(head, row.record_sha256);
    lines.push(auditCopyLine(topic, row, head));
  }
  return { lines: lines.written(), head };
}
