import { encodeEnvelope } from '@session-authority/events';
import { Partitioners, type Message, type PartitionMetadata } from 'kafkajs';
import { createIdempotentProducer } from './idempotent-producer.js';
import { createKafka } from './kafka-client.js';
import type { EventAppender, KafkaConnection, LogPosition } from './types.js';

export interface KafkaAppenderOptions extends KafkaConnection {
  readonly topic: string;
  /** Most records sent in one produce request; concurrent appends beyond it wait for the next. */
  readonly maxBatch?: number;
}

interface Pending {
  readonly message: Message & { partition: number };
  readonly resolve: (position: LogPosition) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Appends through one idle-batching, idempotent producer: appends that arrive while a produce
 * request is in flight are sent together in the next one, so concurrent requests share a round
 * trip to the broker.
 */
export async function createKafkaAppender(options: KafkaAppenderOptions): Promise<EventAppender> {
  const kafka = createKafka(options);
  const producer = createIdempotentProducer(kafka);
  const admin = kafka.admin();
  await producer.connect();
  let partitionMetadata: PartitionMetadata[];
  try {
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [options.topic] });
    partitionMetadata = metadata.topics[0]?.partitions ?? [];
  } finally {
    await admin.disconnect();
  }
  if (partitionMetadata.length === 0) throw new Error(`topic ${options.topic} has no partitions`);
  // The Java client's partitioner, so that producers in other languages agree on a key's partition.
  const partitioner = Partitioners.DefaultPartitioner();
  const maxBatch = options.maxBatch ?? 500;
  const queue: Pending[] = [];
  let inFlight = false;

  async function flush(): Promise<void> {
    inFlight = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const results = await producer.send({
          topic: options.topic,
          messages: batch.map((pending) => pending.message),
        });
        const baseOffsets = new Map(
          results.map((r) => [r.partition, BigInt(r.baseOffset ?? '-1')]),
        );
        const seen = new Map<number, bigint>();
        for (const pending of batch) {
          const partition = pending.message.partition;
          const index = seen.get(partition) ?? 0n;
          seen.set(partition, index + 1n);
          const base = baseOffsets.get(partition);
          if (base === undefined || base < 0n) {
            pending.reject(new Error(`no offset acknowledged for partition ${partition}`));
          } else {
            pending.resolve({ partition, offset: base + index });
          }
        }
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    inFlight = false;
  }

  return {
    append(envelopes) {
      const positions = envelopes.map((envelope) => {
        const raw = encodeEnvelope(envelope);
        const message = { key: raw.key, value: raw.value, headers: { ...raw.headers } };
        const partition = partitioner({ topic: options.topic, partitionMetadata, message });
        return new Promise<LogPosition>((resolve, reject) => {
          queue.push({ message: { ...message, partition }, resolve, reject });
        });
      });
      if (!inFlight) void flush();
      return Promise.all(positions);
    },
    async close() {
      await producer.close();
    },
  };
}
