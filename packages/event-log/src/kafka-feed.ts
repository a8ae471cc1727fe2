import { createKafka } from './kafka-client.js';
import { createIdempotentProducer } from './idempotent-producer.js';
import type { KafkaConnection } from './types.js';

/** One record of a compacted topic: a key and its latest value; null is a tombstone. */
export interface FeedEntry {
  readonly key: string;
  readonly value: string | null;
}

/** Entries per produce request: a request of large rows stays well below a broker's 1 MiB limit. */
const ENTRIES_PER_SEND = 500;

export interface FeedWriter {
  /** Writes the entries to one partition, in order, with acks=all (in requests of 500 at most). */
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
      for (let i = 0; i < entries.length; i += ENTRIES_PER_SEND)
        await producer.send({
          topic: options.topic,
          messages: entries
            .slice(i, i + ENTRIES_PER_SEND)
            .map((entry) => ({ partition, key: entry.key, value: entry.value })),
        });
    },
    close: () => producer.close(),
  };
}
