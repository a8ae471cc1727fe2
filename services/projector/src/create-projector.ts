import type { Logger } from 'pino';
import type { PartitionBatch, Subscription } from '@session-authority/event-log';
import {
  applyProjectionBatches,
  readProjectionOffsets,
  type ReadModelOrm,
} from '@session-authority/read-model';
import { BatchCoalescer } from './batch-coalescer.js';
import { decodeBatch } from './decode-batch.js';
import type { ProjectorMetrics } from './projector-metrics.js';

export const SESSIONS_PROJECTION = 'sessions';

export interface ProjectorDeps {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  readonly topic: string;
  readonly subscription: Subscription;
  readonly metrics: ProjectorMetrics;
  readonly logger: Logger;
}

export interface Projector {
  start(): Promise<void>;
  stop(): Promise<void>;
  haltedPartitions(): number[];
}

/** Consumes the log and keeps the sessions read model, one PostgreSQL transaction per batch. */
export function createProjector(deps: ProjectorDeps): Projector {
  const { orm, schema, topic, metrics, logger } = deps;
  const coalescer = new BatchCoalescer((batches) =>
    applyProjectionBatches(orm.em, schema, batches),
  );

  async function handleBatch(batch: PartitionBatch): Promise<'continue' | 'halt'> {
    const partition = String(batch.partition);
    const decoded = decodeBatch(batch.records);
    if (decoded.nextOffset !== undefined) {
      const stopTimer = metrics.batchSeconds.startTimer();
      const outcome = await coalescer.apply({
        projection: SESSIONS_PROJECTION,
        topic,
        partition: batch.partition,
        events: decoded.events,
        nextOffset: decoded.nextOffset,
      });
      stopTimer();
      for (const { event } of outcome.applied) metrics.applied.inc({ type: event.type });
      for (const type of decoded.unknownTypes) metrics.skippedUnknown.inc({ type });
      metrics.nextOffset.set({ partition }, Number(outcome.nextOffset));
      metrics.lag.set(
        { partition },
        Math.max(0, Number(batch.highWatermark) - Number(outcome.nextOffset)),
      );
    }
    if (decoded.poison === undefined) return 'continue';
    metrics.poison.inc({ partition });
    metrics.halted.set({ partition }, 1);
    logger.error(
      {
        partition: batch.partition,
        offset: decoded.poison.offset,
        problem: decoded.poison.problem,
      },
      'poison record: partition halted; fix or upcast the record and restart the projector',
    );
    return 'halt';
  }

  return {
    async start() {
      await deps.subscription.start({
        startOffsets: async (partitions) => {
          const stored = await readProjectionOffsets(orm.em, schema, SESSIONS_PROJECTION, topic);
          return new Map(partitions.map((p) => [p, stored.get(p) ?? '0']));
        },
        handleBatch,
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
