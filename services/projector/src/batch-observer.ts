import type { DecodedRecords, Poison } from '@session-authority/events';
import type { PartitionBatch } from '@session-authority/event-log';
import type { BatchOutcome } from '@session-authority/read-model';
import type { Logger } from 'pino';
import type { ProjectorMetrics } from './projector-metrics.js';

/** What the projector reports of each batch: metrics, and a line per quarantined record. */
export function batchObserver(metrics: ProjectorMetrics, logger: Logger) {
  return {
    applied(batch: PartitionBatch, decoded: DecodedRecords, outcome: BatchOutcome): void {
      const partition = String(batch.partition);
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
    },

    halted(batch: PartitionBatch, poison: Poison): void {
      const partition = String(batch.partition);
      metrics.poison.inc({ partition });
      metrics.halted.set({ partition }, 1);
      logger.error(
        { partition: batch.partition, offset: poison.offset.toString(), problem: poison.problem },
        'record with no session id as key: partition halted; see docs/operations.md',
      );
    },
  };
}
