import { readLogEnd } from '@session-authority/event-log';
import { FEED_CHECKPOINT_KEY, type FeedRevocation } from '@session-authority/events';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers, uniqueName } from './stores.js';
import { waitFor } from './wait-for.js';

export interface FeedState {
  /** The latest value of each session key: a revocation, or null once tombstoned. */
  readonly sessions: Map<string, FeedRevocation | null>;
  /** Per partition, the latest checkpoint's next offset. */
  readonly checkpoints: Map<number, bigint>;
  /** The partition each session key was written to. */
  readonly partitionOf: Map<string, number>;
}

/** The feed topic read from its start to its current end, latest value per key. */
export async function readFeed(topic: string): Promise<FeedState> {
  const brokers = kafkaBrokers();
  const end = await readLogEnd({ brokers, clientId: 'test-feed-reader' }, topic);
  const remaining = new Map([...end].filter(([, high]) => high > 0n));
  const state: FeedState = { sessions: new Map(), checkpoints: new Map(), partitionOf: new Map() };
  if (remaining.size === 0) return state;
  const kafka = new Kafka({ clientId: 'test-feed-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('feed-reader'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const key = message.key?.toString() ?? '';
      const value = message.value === null ? null : message.value.toString();
      if (key === FEED_CHECKPOINT_KEY && value !== null) {
        state.checkpoints.set(partition, BigInt((JSON.parse(value) as { next: string }).next));
      } else {
        state.sessions.set(key, value === null ? null : (JSON.parse(value) as FeedRevocation));
        state.partitionOf.set(key, partition);
      }
      const offset = BigInt(message.offset);
      if (offset + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition);
      return Promise.resolve();
    },
  });
  try {
    await waitFor(`${topic} read to its end`, () => remaining.size === 0, 20_000);
  } finally {
    await consumer.disconnect();
  }
  return state;
}
