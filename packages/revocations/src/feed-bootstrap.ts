import type { Consumer } from 'kafkajs';
import type { LogRanges } from './log-range.js';
import { expirySeconds } from './session-id.js';
import type { SessionIdSet } from './session-id-set.js';
import { readFeedRecord } from './wire.js';

/**
 * Reads the revocation feed up to the end it had at the start (`end`): each revocation still
 * unexpired into `revoked`, each tombstone out of it, each partition's checkpoint into
 * `positions`. Any prefix of a feed partition is consistent: its checkpoint covers its
 * revocations, so records written past `end` meanwhile do no harm.
 */
export async function readFeedToEnd(
  consumer: Consumer,
  topic: string,
  end: LogRanges,
  into: {
    readonly nowSeconds: number;
    readonly revoked: SessionIdSet;
    readonly positions: { set(partition: number, next: bigint): void };
  },
): Promise<void> {
  const behind = new Set([...end].filter(([, { high, low }]) => high > low).map(([p]) => p));
  if (behind.size === 0) return;
  // At most one entry a record: no table grown and rehashed a dozen times on the way.
  const records = [...end.values()].reduce((sum, { high, low }) => sum + Number(high - low), 0);
  into.revoked.reserve(into.revoked.size + records);
  const { promise: finished, resolve: finish } = Promise.withResolvers<undefined>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: ({ batch }) => {
      if (!behind.has(batch.partition)) return Promise.resolve();
      for (const message of batch.messages) {
        const record = readFeedRecord(message);
        if (record.kind === 'checkpoint') into.positions.set(batch.partition, record.next);
        else if (record.kind === 'tombstone') into.revoked.delete(record.sessionId);
        else if (record.kind === 'revoked') {
          const expiry = expirySeconds(record.expiresAtMs);
          if (expiry > into.nowSeconds) into.revoked.add(record.sessionId, expiry);
        }
      }
      const high = end.get(batch.partition)?.high ?? 0n;
      if (BigInt(batch.lastOffset()) + 1n >= high) behind.delete(batch.partition);
      if (behind.size === 0) finish(undefined);
      return Promise.resolve();
    },
  });
  await finished;
}
