import { createKafka } from './kafka-client.js';
import { createIdempotentProducer } from './idempotent-producer.js';
import type { KafkaConnection } from './types.js';

/** One record of a compacted topic: a key and its latest value; null is a tombstone. */
export interface FeedEntry {
  readonly key: string;
  readonly value: string | null;
}

export interface FeedWriter {
  /** Writes the entries to one partition, in order, with acks=all. */
  write(partition: number, entries: readonly FeedEntry[]): Promise<void>;
  close(): Promise<void>;
}

/** A producer that writes to partitions the caller names (the log's own partition numbers). */
export async function createFeedWriter(
  options: KafkaConnection & { readonly topic: string },
): Promise<FeedWriter> {
  const producer = createIdempotentProducer(createKafka(options));
  await producer.connect();
  return {
    async write(partition, entries) {
      if (entries.length === 0) return;
      await producer.send({
        topic: options.topic,
        messages: entries.map((entry) => ({ partition, key: entry.key, value: entry.value })),
      });
    },
    close: () => producer.close(),
  };
}
