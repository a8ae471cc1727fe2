import { FEED_CHECKPOINT_KEY, type FeedRevocation } from '@session-authority/events';
import { readToEnd } from './topic-reader.js';

export interface FeedState {
  /** The latest value of each session key: a revocation, or null once tombstoned. */
  readonly sessions: Map<string, FeedRevocation | null>;
  /** Per partition, the latest checkpoint's next offset. */
  readonly checkpoints: Map<number, bigint>;
  /** The partition each session key was written to. */
  readonly partitionOf: Map<string, number>;
}

/** The feed topic read from its start to its current end, latest value per key. */
export async function readFeed(topic: string, brokers?: string[]): Promise<FeedState> {
  const state: FeedState = { sessions: new Map(), checkpoints: new Map(), partitionOf: new Map() };
  await readToEnd(
    topic,
    (partition, message) => {
      const key = message.key?.toString() ?? '';
      const value = message.value === null ? null : message.value.toString();
      if (key === FEED_CHECKPOINT_KEY && value !== null) {
        state.checkpoints.set(partition, BigInt((JSON.parse(value) as { next: string }).next));
      } else {
        state.sessions.set(key, value === null ? null : (JSON.parse(value) as FeedRevocation));
        state.partitionOf.set(key, partition);
      }
    },
    brokers,
  );
  return state;
}
