import type {
  EnvelopeReadResult,
  PositionedRecord,
  QuarantinedRecord,
} from '@session-authority/events';
import {
  auditColumnsOf,
  AUDIT_COLUMNS,
  canonicalColumns,
  columnDifferences,
  columnsDigest,
  QUARANTINE_COLUMNS,
  readAuditColumns,
  type ColumnDifference,
  type ReadModelOrm,
  type SnapshotAuditRow,
} from '@session-authority/read-model';

interface Suspect {
  readonly partition: number;
  readonly offset: bigint;
  readonly expected: Record<string, string | null>;
}

/**
 * Compares, as the log is read, each record's audit row as the projection would write it with the
 * row stored for it. Only a digest of the stored columns is read; the rows whose digest differs
 * are read again at the end to name each column.
 */
export class AuditColumnCheck {
  private readonly suspects: Suspect[] = [];

  /** A record and the row stored at its offset (a missing row is the chain check's to report). */
  check(
    partition: number,
    record: PositionedRecord,
    row: SnapshotAuditRow,
    problem: string | undefined,
    read?: EnvelopeReadResult,
  ): void {
    const expected = canonicalColumns(AUDIT_COLUMNS, auditColumnsOf(record, problem, read));
    if (columnsDigest(expected) !== row.columnsDigest)
      this.suspects.push({ partition, offset: record.offset, expected });
  }

  async differences(orm: ReadModelOrm, schema: string, topic: string) {
    const found: ColumnDifference[] = [];
    for (const { partition, offset, expected } of this.suspects) {
      const stored = await readAuditColumns(orm.em, schema, topic, partition, offset);
      if (stored === undefined) continue;
      found.push(
        ...columnDifferences({ table: 'audit_events', partition, offset }, stored, expected),
      );
    }
    return found;
  }
}

/**
 * quarantined_records against the records the projector's decoding quarantines: each shown column,
 * and a row that should be there and is not, or is there and should not be.
 */
export function quarantineDifferences(
  stored: ReadonlyMap<string, Record<string, string | null>>,
  quarantined: readonly (QuarantinedRecord & { readonly partition: number })[],
): ColumnDifference[] {
  const found: ColumnDifference[] = [];
  const seen = new Set<string>();
  for (const q of quarantined) {
    const key = `${q.partition}:${q.offset}`;
    seen.add(key);
    const where = {
      table: 'quarantined_records' as const,
      partition: q.partition,
      offset: q.offset,
    };
    const expected = canonicalColumns(QUARANTINE_COLUMNS, {
      session_id: q.sessionId,
      type: q.type ?? null,
      problem: q.problem,
      quarantined_at: q.at,
    });
    const row = stored.get(key);
    if (row === undefined)
      found.push({ ...where, column: '(row)', stored: null, expected: 'a quarantined record' });
    else found.push(...columnDifferences(where, row, expected));
  }
  for (const key of stored.keys()) {
    if (seen.has(key)) continue;
    const [partition, offset] = key.split(':');
    found.push({
      table: 'quarantined_records',
      partition: Number(partition),
      offset: BigInt(offset ?? '0'),
      column: '(row)',
      stored: 'a quarantined record',
      expected: null,
    });
  }
  return found;
}
