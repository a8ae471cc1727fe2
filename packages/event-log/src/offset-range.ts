import type { Kafka } from 'kafkajs';

/**
 * A stored offset the log no longer has: its start has moved past it (records deleted) or its
 * end is below it (another log, or one cut short). Offsets never move by themselves: whoever reads
 * from a stored offset stops on this instead of resetting to the start or the end.
 */
export class OffsetOutOfRangeError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly stored: bigint,
    readonly available: { readonly low: bigint; readonly high: bigint },
  ) {
    super(
      `topic ${topic} partition ${partition}: the stored offset ${stored} is outside the log's ` +
        `range [${available.low}, ${available.high}): ` +
        (stored < available.low
          ? 'the records from it on were deleted before they were applied'
          : 'the log ends before it, so this is not the log those offsets came from') +
        '. Rebuild the read model from a whole log into a new schema (npm run rebuild).',
    );
    this.name = 'OffsetOutOfRangeError';
  }
}

/** The first and one-past-last offsets each partition holds now. */
async function readOffsetRanges(
  kafka: Kafka,
  topic: string,
): Promise<Map<number, { low: bigint; high: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
  } finally {
    await admin.disconnect();
  }
}

/** Throws OffsetOutOfRangeError for the first partition whose offset the log does not hold. */
export async function checkOffsetsInRange(
  kafka: Kafka,
  topic: string,
  offsets: ReadonlyMap<number, bigint>,
): Promise<void> {
  const ranges = await readOffsetRanges(kafka, topic);
  for (const [partition, offset] of offsets) {
    const range = ranges.get(partition) ?? { low: 0n, high: 0n };
    if (offset < range.low || offset > range.high)
      throw new OffsetOutOfRangeError(topic, partition, offset, range);
  }
}
