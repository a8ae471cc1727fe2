import type {
  PositionedEvent,
  PositionedRecord,
  QuarantinedRecord,
} from '@session-authority/events';

/** Records of one partition that this projection has not applied before, in log order. */
export interface FreshEvents {
  readonly partition: number;
  readonly events: readonly PositionedEvent[];
  /** Records keyed by a session that failed their schema (also in quarantined_records). */
  readonly quarantined: readonly QuarantinedRecord[];
  /** Every record, as it is in the log: unknown types and quarantined ones too. */
  readonly records: readonly PositionedRecord[];
}

/** What a projection's SQL may use: schema-qualified tables and quoted literals. */
export interface SqlContext {
  table(name: string): string;
  literal(value: string): string;
  /** The log topic the records come from. */
  readonly topic: string;
}

/**
 * A projection of the log into PostgreSQL. The projection store runs it inside the transaction
 * that also moves its own `projection_offsets` rows, so its writes and its position commit
 * together; records below its stored offsets never reach it again.
 */
export interface Projection {
  readonly name: string;
  /** The event types it applies; records of other types still move its offsets. */
  readonly handles: ReadonlySet<string>;
  /**
   * Whether watermarks wait on it: then the store NOTIFYs its offsets after each commit. The
   * others' offsets are only read when a subscription starts.
   */
  readonly followed?: boolean;
  /** Statements that apply the fresh records; run in one multi-statement round trip. */
  statements(batches: readonly FreshEvents[], sql: SqlContext): string[];
}

/**
 * Work that must be done before a batch commits, such as writing the revocation feed. The store
 * runs it while the projections' statements run, and commits only once both have succeeded; a
 * failure rolls the batch back, to be delivered again (so a step must be idempotent).
 *
 * A step with `readBack` runs after the statements instead: its select runs in the same round
 * trip, inside the transaction, and `run` gets the rows it returned.
 */
export interface PreCommitStep {
  readonly name: string;
  readBack?(batches: readonly PreCommitBatch[], sql: SqlContext): string | undefined;
  /** The batches about to commit (at least one projection moves in each). */
  run(batches: readonly PreCommitBatch[], rows: readonly Record<string, unknown>[]): Promise<void>;
}

/** A batch as a pre-commit step sees it: its decoded records and where it ends. */
export interface PreCommitBatch {
  readonly partition: number;
  readonly events: readonly PositionedEvent[];
  readonly quarantined: readonly QuarantinedRecord[];
  readonly nextOffset: bigint;
}
