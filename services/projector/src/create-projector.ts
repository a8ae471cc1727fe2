import type { Logger } from 'pino';
import { decodeRecords, feedEntriesOf } from '@session-authority/events';
import type {
  FeedWriter,
  OffsetOutOfRangeError,
  PartitionBatch,
  Subscription,
} from '@session-authority/event-log';
import {
  createProjectionStore,
  type Projection,
  type ProjectionWaiter,
  type ReadModelOrm,
} from '@session-authority/read-model';
import type { Leadership } from './leadership.js';
import { BatchCoalescer } from './batch-coalescer.js';
import type { ProjectorMetrics } from './projector-metrics.js';

export interface ProjectorDeps {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  readonly topic: string;
  readonly projections: readonly Projection[];
  readonly subscription: Subscription;
  readonly metrics: ProjectorMetrics;
  readonly logger: Logger;
  /**
   * The revocation feed. Each batch's revocations and checkpoint are written to it BEFORE the
   * batch commits, so the feed is never behind the read model; a batch that then fails to commit
   * is delivered again and written again, which a compacted topic absorbs.
   */
  readonly feed?: FeedWriter;
  /** A stored offset the log does not hold: the partition has stopped; the caller ends the run. */
  readonly onOutOfRange: (error: OffsetOutOfRangeError) => void;
  /** When several projectors run: a follower applies only what the leader has not, in time. */
  readonly backup?: {
    readonly leadership: Leadership;
    readonly waiter: ProjectionWaiter;
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
  const { orm, schema, topic, metrics, logger } = deps;
  const store = createProjectionStore({ em: orm.em, schema, topic, projections: deps.projections });
  const coalescer = new BatchCoalescer((batches) => store.apply(batches));

  /** A follower skips what the leader applies within the grace time (no decoding, no SQL). */
  async function leaderApplied(batch: PartitionBatch): Promise<boolean> {
    const backup = deps.backup;
    const last = batch.records.at(-1);
    if (backup === undefined || backup.leadership.isLeader() || last === undefined) return false;
    const position = { partition: batch.partition, offset: last.offset };
    return backup.waiter.waitFor([position], backup.graceMs);
  }

  async function handleBatch(batch: PartitionBatch): Promise<'continue' | 'halt'> {
    if (await leaderApplied(batch)) return 'continue';
    const partition = String(batch.partition);
    const decoded = decodeRecords(batch.records);
    if (decoded.nextOffset !== undefined) {
      await deps.feed?.write(
        batch.partition,
        feedEntriesOf(batch.partition, decoded.events, decoded.quarantined, decoded.nextOffset),
      );
      const stopTimer = metrics.batchSeconds.startTimer();
      const outcome = await coalescer.apply({
        partition: batch.partition,
        events: decoded.events,
        quarantined: decoded.quarantined,
        records: batch.records.filter((r) => r.offset < (decoded.nextOffset ?? 0n)),
        nextOffset: decoded.nextOffset,
      });
      stopTimer();
      for (const { event } of outcome.applied) metrics.applied.inc({ type: event.type });
      for (const type of decoded.unknownTypes) metrics.skippedUnknown.inc({ type });
      for (const record of decoded.quarantined) {
        metrics.quarantined.inc({ partition });
        logger.warn(
          {
            partition: batch.partition,
            offset: record.offset.toString(),
            session_id: record.sessionId,
            type: record.type,
            problem: record.problem,
          },
          'record quarantined: its session is revoked; see npm run quarantine',
        );
      }
      metrics.nextOffset.set({ partition }, Number(outcome.nextOffset));
      const lag = batch.highWatermark - outcome.nextOffset;
      metrics.lag.set({ partition }, lag > 0n ? Number(lag) : 0);
    }
    if (decoded.halt === undefined) return 'continue';
    metrics.poison.inc({ partition });
    metrics.halted.set({ partition }, 1);
    logger.error(
      {
        partition: batch.partition,
        offset: decoded.halt.offset.toString(),
        problem: decoded.halt.problem,
      },
      'record with no session id as key: partition halted; see docs/operations.md',
    );
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
          logger.info({ partitions }, 'partitions assigned');
        },
      });
    },
    async stop() {
      await deps.subscription.stop();
    },
    haltedPartitions: () => deps.subscription.haltedPartitions(),
  };
}
