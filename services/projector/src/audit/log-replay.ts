import { PartitionChainCheck, recordSha256, type ChainDifference } from '@session-authority/audit';
import {
  decodeRecords,
  type PositionedRecord,
  type QuarantinedRecord,
} from '@session-authority/events';
import type { ProjectionEnds, SnapshotAuditRow } from '@session-authority/read-model';
import {
  foldSessions,
  projectionInputsOf,
  type PositionedInput,
  type SessionState,
} from '@session-authority/sessions';
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

export interface ReplayOptions {
  /** Where each projection's check starts; the beginning of every partition when not given. */
  readonly starts?: ReplayStarts;
  /** The chain's head at the audit start of a partition (a checkpoint's), when not the beginning. */
  readonly chainStart?: (partition: number) => string | undefined;
  /**
   * Fold the sessions' inputs as they are read, into this map, instead of keeping them: a
   * verification of all of history then holds one state per session, not every record.
   */
  readonly foldInto?: Map<string, SessionState>;
}

/**
 * What verification takes from the records it reads, per projection between where that
 * projection's check starts and where the projection stands: each record against its audit row
 * (the chain and the shown columns) as it is read, the quarantined records, and the sessions'
 * inputs, folded as they come or kept for a fold that needs earlier history first.
 */
export class LogReplay {
  readonly inputs = new Map<number, PositionedInput[]>();
  readonly quarantined: (QuarantinedRecord & { partition: number })[] = [];
  readonly auditColumns: AuditColumnCheck;
  private readonly chains = new Map<number, PartitionChainCheck>();
  private readonly starts: ReplayStarts;
  records = 0;

  constructor(
    private readonly ends: ProjectionEnds,
    private readonly auditRows: ReadonlyMap<number, readonly SnapshotAuditRow[]>,
    private readonly options: ReplayOptions = {},
  ) {
    this.auditColumns = new AuditColumnCheck(auditRows);
    this.starts = options.starts ?? NOWHERE;
  }

  /** The sessions the records after the sessions start name (of the inputs kept). */
  touchedSessions(): Set<string> {
    return new Set([...this.inputs.values()].flatMap((list) => list.map(sessionOf)));
  }

  /** Per partition, the first record whose hash, order or presence differs from audit_events. */
  chainDifferences(partitions: number): ChainDifference[] {
    const found: ChainDifference[] = [];
    for (let p = 0; p < partitions; p++) {
      const difference = this.chainOf(p).difference();
      if (difference !== undefined) found.push(difference);
    }
    return found;
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
    const chain = this.chainOf(partition);
    for (const [i, r] of batch.entries()) {
      if (!inAudit(r.offset)) continue;
      chain.add({
        offset: r.offset,
        recordSha256: recordSha256(partition, r.offset, r.record),
        eventId: eventIdOf(r),
      });
      this.auditColumns.check(partition, r, problems.get(r.offset), decoded.reads[i]);
    }
    const fresh = projectionInputsOf(decoded.events, decoded.quarantined).filter((input) =>
      inSessions(input.offset),
    );
    if (this.options.foldInto !== undefined) foldSessions(fresh, this.options.foldInto);
    else {
      const kept = this.inputs.get(partition) ?? [];
      kept.push(...fresh);
      this.inputs.set(partition, kept);
    }
  }

  private chainOf(partition: number): PartitionChainCheck {
    let chain = this.chains.get(partition);
    if (chain === undefined) {
      chain = new PartitionChainCheck(
        partition,
        this.auditRows.get(partition) ?? [],
        this.options.chainStart?.(partition),
      );
      this.chains.set(partition, chain);
    }
    return chain;
  }
}
