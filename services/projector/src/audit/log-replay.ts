import { recordSha256, type LoggedRecord } from '@session-authority/audit';
import {
  decodeRecords,
  type PositionedRecord,
  type QuarantinedRecord,
} from '@session-authority/events';
import type { ProjectionEnds, SnapshotAuditRow } from '@session-authority/read-model';
import { projectionInputsOf, type PositionedInput } from '@session-authority/sessions';
import { AuditColumnCheck } from './column-checks.js';

/** Where each projection's part of a partition starts: 0, or a checkpoint's offsets. */
export type ReplayStarts = Pick<
  ProjectionEnds,
  'auditOffsets' | 'sessionsOffsets' | 'quarantineOffsets'
>;

const NOWHERE: ReplayStarts = {
  auditOffsets: new Map(),
  sessionsOffsets: new Map(),
  quarantineOffsets: new Map(),
};

function eventIdOf({ record }: PositionedRecord): string | null {
  const id = record.headers.ce_id;
  return id === undefined ? null : id.toString();
}

/** The offset a partition must be read from: the earliest any projection's check starts at. */
export function readFrom(starts: ReplayStarts, partition: number): bigint {
  return [starts.auditOffsets, starts.sessionsOffsets, starts.quarantineOffsets]
    .map((m) => m.get(partition) ?? 0n)
    .reduce((a, b) => (a < b ? a : b));
}

const sessionOf = (input: PositionedInput) =>
  'event' in input ? input.event.data.session_id : input.quarantine.sessionId;

/**
 * What verification takes from the records it reads, per projection between where that
 * projection's check starts and where the projection stands: the hashes and shown columns for
 * the audit projection, the quarantined records, and the fold's inputs for the sessions.
 */
export class LogReplay {
  readonly logged = new Map<number, LoggedRecord[]>();
  readonly inputs = new Map<number, PositionedInput[]>();
  readonly quarantined: (QuarantinedRecord & { partition: number })[] = [];
  readonly auditColumns: AuditColumnCheck;
  records = 0;

  constructor(
    private readonly ends: ProjectionEnds,
    auditRows: ReadonlyMap<number, readonly SnapshotAuditRow[]>,
    private readonly starts: ReplayStarts = NOWHERE,
  ) {
    this.auditColumns = new AuditColumnCheck(auditRows);
  }

  /** The sessions the records after the sessions start name. */
  touchedSessions(): Set<string> {
    return new Set([...this.inputs.values()].flatMap((list) => list.map(sessionOf)));
  }

  add(partition: number, batch: readonly PositionedRecord[]): void {
    this.records += batch.length;
    const range = (starts: ReadonlyMap<number, bigint>, ends: ReadonlyMap<number, bigint>) => {
      const from = starts.get(partition) ?? 0n;
      const to = ends.get(partition) ?? 0n;
      return (offset: bigint) => offset >= from && offset < to;
    };
    const inAudit = range(this.starts.auditOffsets, this.ends.auditOffsets);
    const inSessions = range(this.starts.sessionsOffsets, this.ends.sessionsOffsets);
    const inQuarantine = range(this.starts.quarantineOffsets, this.ends.quarantineOffsets);
    const decoded = decodeRecords(batch);
    const problems = new Map(decoded.quarantined.map((q) => [q.offset, q.problem]));
    for (const q of decoded.quarantined)
      if (inQuarantine(q.offset)) this.quarantined.push({ ...q, partition });
    const hashes = this.logged.get(partition) ?? [];
    for (const [i, r] of batch.entries()) {
      if (!inAudit(r.offset)) continue;
      hashes.push({
        offset: r.offset,
        recordSha256: recordSha256(partition, r.offset, r.record),
        eventId: eventIdOf(r),
      });
      this.auditColumns.check(partition, r, problems.get(r.offset), decoded.reads[i]);
    }
    this.logged.set(partition, hashes);
    const list = this.inputs.get(partition) ?? [];
    const fresh = projectionInputsOf(decoded.events, decoded.quarantined);
    list.push(...fresh.filter((input) => inSessions(input.offset)));
    this.inputs.set(partition, list);
  }
}
