import {
  mergeByOffset,
  PartitionChainCheck,
  recordSha256,
  type ChainDifference,
} from '@session-authority/audit';
import {
  decodeRecords,
  type PositionedRecord,
  type QuarantinedRecord,
} from '@session-authority/events';
import type { AuditRowStream, ProjectionEnds } from '@session-authority/read-model';
import {
  foldSessionsAs,
  projectionInputsOf,
  type PositionedInput,
  type RuledFields,
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

const ruledFieldsOf = ({ expiresAt, revokedAt, revokeReason }: RuledFields): RuledFields => ({
  expiresAt,
  revokedAt,
  revokeReason,
});

const sessionOf = (input: PositionedInput) =>
  'event' in input ? input.event.data.session_id : input.quarantine.sessionId;

export interface ReplayOptions {
  /** Where each projection's check starts; the beginning of every partition when not given. */
  readonly starts?: ReplayStarts;
  /** The chain's head at the audit start of a partition (a checkpoint's), when not the beginning. */
  readonly chainStart?: (partition: number) => string | undefined;
  /**
   * Fold the sessions' inputs as they are read, into this map, instead of keeping them: a
   * verification of all of history then holds what the rule changes of each session, not every
   * record.
   */
  readonly foldInto?: Map<string, RuledFields>;
  /** Told, batch by batch, the sessions whose inputs were kept (not folded) as they are kept. */
  readonly onKept?: (sessionIds: ReadonlySet<string>) => void;
}

/** The audit rows of one partition a replay has compared: how many, and the last one's chain. */
export interface AuditRowsRead {
  readonly rows: number;
  readonly chain: string | undefined;
}

interface PartitionReplay {
  readonly chain: PartitionChainCheck;
  readonly rows: AuditRowStream;
  read: AuditRowsRead;
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
  readonly auditColumns = new AuditColumnCheck();
  private readonly partitions = new Map<number, PartitionReplay>();
  private readonly starts: ReplayStarts;
  records = 0;

  constructor(
    private readonly ends: ProjectionEnds,
    /** The stored audit rows of a partition, from where its audit check starts. */
    private readonly auditRows: (partition: number) => AuditRowStream,
    private readonly options: ReplayOptions = {},
  ) {
    this.starts = options.starts ?? NOWHERE;
  }

  async add(partition: number, batch: readonly PositionedRecord[]): Promise<void> {
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
    const fresh = projectionInputsOf(decoded.events, decoded.quarantined).filter((input) =>
      inSessions(input.offset),
    );
    if (this.options.foldInto !== undefined)
      foldSessionsAs(fresh, this.options.foldInto, ruledFieldsOf);
    else {
      const kept = this.inputs.get(partition) ?? [];
      kept.push(...fresh);
      this.inputs.set(partition, kept);
      if (fresh.length > 0) this.options.onKept?.(new Set(fresh.map(sessionOf)));
    }

    const audited = batch.flatMap((record, index) =>
      inAudit(record.offset) ? [{ offset: record.offset, record, index }] : [],
    );
    const last = audited.at(-1);
    if (last === undefined) return;
    const replay = this.partitionOf(partition);
    const rows = await replay.rows.below(last.offset + 1n);
    this.count(replay, rows);
    mergeByOffset(
      audited,
      rows,
      ({ record, index }, row) => {
        const { offset } = record;
        const digest = recordSha256(partition, offset, record.record);
        replay.chain.add({ offset, recordSha256: digest, eventId: eventIdOf(record) }, row);
        if (row !== undefined)
          this.auditColumns.check(
            partition,
            record,
            row,
            problems.get(offset),
            decoded.reads[index],
          );
      },
      (row) => replay.chain.rowWithoutRecord(row),
    );
  }

  /**
   * Once the log was read: per partition, the first record whose hash, order or presence differs
   * from audit_events (the rows past the records read among them).
   */
  async chainDifferences(partitions: number): Promise<ChainDifference[]> {
    const found: ChainDifference[] = [];
    for (let p = 0; p < partitions; p++) {
      const replay = this.partitionOf(p);
      const rest = await replay.rows.rest();
      this.count(replay, rest);
      const difference = replay.chain.difference(rest[0]);
      if (difference !== undefined) found.push(difference);
    }
    return found;
  }

  /** The rows of a partition compared so far (all of them, after chainDifferences). */
  rowsRead(partition: number): AuditRowsRead {
    return this.partitions.get(partition)?.read ?? { rows: 0, chain: undefined };
  }

  private count(replay: PartitionReplay, rows: readonly { readonly chainSha256: string }[]) {
    replay.read = {
      rows: replay.read.rows + rows.length,
      chain: rows.at(-1)?.chainSha256 ?? replay.read.chain,
    };
  }

  private partitionOf(partition: number): PartitionReplay {
    let replay = this.partitions.get(partition);
    if (replay === undefined) {
      replay = {
        chain: new PartitionChainCheck(partition, this.options.chainStart?.(partition)),
        rows: this.auditRows(partition),
        read: { rows: 0, chain: undefined },
      };
      this.partitions.set(partition, replay);
    }
    return replay;
  }
}
