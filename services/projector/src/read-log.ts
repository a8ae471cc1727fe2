import { randomBytes } from 'node:crypto';
import type { PositionedRecord } from '@session-authority/events';
import { createKafkaSubscription, type KafkaConnection } from '@session-authority/event-log';

export interface ReadLogOptions {
  readonly kafka: KafkaConnection;
  readonly topic: string;
  /** Read this topic instead of `topic` (a copy of the log). */
  readonly logTopic?: string;
  readonly timeoutMs?: number;
  /** Only the partitions of `until` are read (the others are paused, not fetched). */
  readonly onlyUntil?: boolean;
}

/** Every record of each partition from `from` to below `until`, in offset order, then stops. */
export async function readLog(
  options: ReadLogOptions,
  from: (partition: number) => bigint,
  until: ReadonlyMap<number, bigint>,
  onRecords: (partition: number, records: readonly PositionedRecord[]) => void | Promise<void>,
): Promise<void> {
  const pending = new Set([...until].filter(([p, end]) => end > from(p)).map(([p]) => p));
  if (pending.size === 0) return;
  const subscription = createKafkaSubscription({
    ...options.kafka,
    topic: options.logTopic ?? options.topic,
    groupId: `read-log.${randomBytes(6).toString('hex')}`,
    ...(options.onlyUntil === true ? { partitions: [...until.keys()] } : {}),
  });
  const { promise: done, resolve: finish, reject } = Promise.withResolvers<undefined>();
  await subscription.start({
    startOffsets: (partitions) => Promise.resolve(new Map(partitions.map((p) => [p, from(p)]))),
    onOutOfRange: reject,
    handleBatch: async (batch) => {
      const end = until.get(batch.partition) ?? 0n;
      const records = batch.records.filter((r) => r.offset < end);
      if (records.length > 0) {
        // A reader that cannot take the records ends the read: redelivery would meet it again.
        const failed = await Promise.resolve()
          .then(() => onRecords(batch.partition, records))
          .then(
            () => false,
            (error: unknown) => {
              reject(error);
              return true;
            },
          );
        if (failed) return 'halt' as const;
      }
      const last = batch.records.at(-1)?.offset;
      if (
        last !== undefined &&
        last + 1n >= end &&
        pending.delete(batch.partition) &&
        pending.size === 0
      )
        finish(undefined);
      return 'continue' as const;
    },
  });
  const timeoutMs = options.timeoutMs ?? 600_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the log was not read to its end within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([done, timedOut]);
  } finally {
    clearTimeout(timer);
    await subscription.stop();
  }
}
