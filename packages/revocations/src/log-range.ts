import type { Kafka } from 'kafkajs';

/** Per partition, the first offset the log holds and one past its last. */
export type LogRanges = Map<number, { readonly low: bigint; readonly high: bigint }>;

export async function readLogRanges(kafka: Kafka, topic: string): Promise<LogRanges> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { high: BigInt(o.high), low: BigInt(o.low) }]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The client's position in the log is one the log does not hold: a checkpoint of the feed, or the
 * next offset while tailing, is below the log's start (records deleted before they were read) or
 * past its end (a feed of another log). The client stops rather than read from elsewhere.
 */
export class LogOutOfRangeError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly position: bigint,
    readonly available: { readonly low: bigint; readonly high: bigint },
  ) {
    super(
      `${topic} partition ${partition}: position ${position} is outside the log's range ` +
        `[${available.low}, ${available.high}); the revocations cannot be known from here`,
    );
    this.name = 'LogOutOfRangeError';
  }
}

/** The first position outside its partition's range, as an error; undefined when all are in. */
export function positionOutOfRange(
  topic: string,
  positions: ReadonlyMap<number, bigint>,
  ranges: ReadonlyMap<number, { readonly low: bigint; readonly high: bigint }>,
): LogOutOfRangeError | undefined {
  for (const [partition, position] of positions) {
    const range = ranges.get(partition) ?? { low: 0n, high: 0n };
    if (position < range.low || position > range.high)
      return new LogOutOfRangeError(topic, partition, position, range);
  }
  return undefined;
}
