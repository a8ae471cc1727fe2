import type { FeedWriter } from '@session-authority/event-log';
import { expiredRevocations, markSwept, type ReadModelOrm } from '@session-authority/read-model';
import type { Logger } from 'pino';

export interface FeedSweepOptions {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  readonly topic: string;
  readonly feed: FeedWriter;
  readonly intervalMs: number;
  readonly isLeader: () => boolean;
  readonly logger: Logger;
}

/**
 * The leader tombstones the feed entries of revoked sessions once they have expired, so that
 * compaction keeps only what a downstream service still needs. Returns a stop function.
 */
export function startFeedSweep(options: FeedSweepOptions): () => Promise<void> {
  const { orm, schema, topic, feed, logger } = options;
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    if (!options.isLeader()) return;
    const until = new Date();
    const expired = await expiredRevocations(orm.em, schema, topic, until);
    const byPartition = new Map<number, { key: string; value: null }[]>();
    for (const { sessionId, partition } of expired)
      byPartition.set(partition, [
        ...(byPartition.get(partition) ?? []),
        { key: sessionId, value: null },
      ]);
    for (const [partition, tombstones] of byPartition) await feed.write(partition, tombstones);
    await markSwept(orm.em, schema, topic, until);
    if (expired.length > 0)
      logger.info({ tombstones: expired.length }, 'feed: expired revocations tombstoned');
  };
  const timer = setInterval(() => {
    running = running
      .then(sweep)
      .catch((err: unknown) => logger.warn({ err }, 'feed sweep failed; the next one retries'));
  }, options.intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
