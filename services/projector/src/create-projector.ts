import type { Logger } from 'pino';
import { decodeRecords } from '@session-authority/events';
import type {
  FeedWriter,
  OffsetOutOfRangeError,
  PartitionBatch,
  Subscription,
} from '@session-authority/event-log';
import {
  createProjectionStore,
  type Projection,
  type ProjectionWatermark,
  type ReadModelOrm,
} from '@session-authority/read-model';
import type { Leadership } from './leadership.js';
import { BatchCoalescer } from './batch-coalescer.js';
import { batchObserver } from './batch-observer.js';
import { feedStep } from './feed-step.js';
import { stateStep } from './state-step.js';
import type { ProjectorMetrics } from './projector-metrics.js';

export interface ProjectorDeps {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  readonly topic: string;
  readonly projections: readonly Projection[];
  readonly subscription: Subscription;
  readonly metrics: ProjectorMetrics;
  readonly logger: Logger;
  /** The revocation feed, written before each batch commits (see feedStep). */
  readonly feed?: FeedWriter;
  /** The session-state topic, written after the SQL and before each batch commits (see stateStep). */
  readonly state?: FeedWriter;
  /** A stored offset the log does not hold: the partition has stopped; the caller ends the run. */
  readonly onOutOfRange: (error: OffsetOutOfRangeError) => void;
  /** When several projectors run: a follower applies only what the leader has not, in time. */
  readonly backup?: {
    readonly leadership: Leadership;
    readonly watermark: ProjectionWatermark;
    readonly graceMs: number;
  };
}

export interface Projector {
  start(): Promise<void>;
  stop(): Promise<void>;
  haltedPartitions(): number[];
}

/**
 * Consumes the log into every projection. Batches of different partitions that arrive together
 * share one PostgreSQL transaction (see BatchCoalescer), which also moves each projection's
 * offsets, so a batch applied twice (by a follower that did not see the leader's commit in time,
 * or after a crash) changes nothing the second time. A record that fails its schema is
 * quarantined (its session revoked); only one with no session id as key halts its partition.
 */
export function createProjector(deps: ProjectorDeps): Projector {
  const { metrics } = deps;
  const store = createProjectionStore({
    em: deps.orm.em,
    schema: deps.schema,
    topic: deps.topic,
    projections: deps.projections,
    preCommit: [
      ...(deps.feed === undefined ? [] : [feedStep(deps.feed)]),
      ...(deps.state === undefined ? [] : [stateStep(deps.state)]),
    ],
    timed: (part, seconds) => metrics.transactionPartSeconds.observe({ part }, seconds),
  });
  const coalescer = new BatchCoalescer((batches) => store.apply(batches));
  const observe = batchObserver(metrics, deps.logger);

  /** A follower skips what the leader applies within the grace time (no decoding, no SQL). */
  async function leaderApplied(batch: PartitionBatch): Promise<boolean> {
    const backup = deps.backup;
    const last = batch.records.at(-1);
    if (backup === undefined || backup.leadership.isLeader() || last === undefined) return false;
    const position = { partition: batch.partition, offset: last.offset };
    return backup.watermark.waitFor([position], backup.graceMs);
  }

  async function handleBatch(batch: PartitionBatch): Promise<'continue' | 'halt'> {
    if (await leaderApplied(batch)) return 'continue';
    const decoded = decodeRecords(batch.records);
    const { nextOffset } = decoded;
    if (nextOffset !== undefined) {
      const stopTimer = metrics.batchSeconds.startTimer();
      // Each record with its envelope as decodeRecords read it (reads[i] is records[i]'s).
      const records = batch.records
        .filter((r) => r.offset < nextOffset)
        .map((r, i) => ({ ...r, read: decoded.reads[i] }));
      const { events, quarantined } = decoded;
      const partition = batch.partition;
      const outcome = await coalescer.apply({
        partition,
        events,
        quarantined,
        records,
        nextOffset,
      });
      stopTimer();
      observe.applied(batch, decoded, outcome);
    }
    if (decoded.halt === undefined) return 'continue';
    observe.halted(batch, decoded.halt);
    return 'halt';
  }

  return {
    async start() {
      await deps.subscription.start({
        startOffsets: async (partitions) => {
          const stored = await store.startOffsets();
          return new Map(partitions.map((p) => [p, stored.get(p) ?? 0n]));
        },
        handleBatch,
        onOutOfRange: deps.onOutOfRange,
        onAssigned: (partitions) => {
          metrics.halted.reset();
          deps.logger.info({ partitions }, 'partitions assigned');
        },
      });
    },
    async stop() {
      await deps.subscription.stop();
    },
    haltedPartitions: () => deps.subscription.haltedPartitions(),
  };
}
