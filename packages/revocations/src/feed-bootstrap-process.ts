import { writeFileSync } from 'node:fs';
import { Kafka, type KafkaConfig } from 'kafkajs';
import { readFeedToEnd } from './feed-bootstrap.js';
import { CONSUMER_SETTINGS } from './kafka-connection.js';
import type { LogRanges } from './log-range.js';
import { SessionIdSet } from './session-id-set.js';

export interface FeedBootstrapInput {
  readonly config: KafkaConfig;
  readonly topic: string;
  readonly end: LogRanges;
  readonly nowSeconds: number;
  readonly groupId: string;
  /** Where to write the table: its key words, then its expiries. */
  readonly tableFile: string;
}

export interface FeedBootstrapOutput {
  readonly count: number;
  readonly capacity: number;
  readonly positions: [number, bigint][];
}

/**
 * The feed read to its end in a process of its own (started by readFeedInProcess): every record
 * the feed holds passes through this process's memory and is gone with it. What it hands back is
 * the fitted table, in a file (a message of that size would leave its copies behind in the
 * caller), and the feed's checkpoints.
 */
async function bootstrap(input: FeedBootstrapInput): Promise<FeedBootstrapOutput> {
  const kafka = new Kafka(input.config);
  const consumer = kafka.consumer({ ...CONSUMER_SETTINGS, groupId: input.groupId });
  const revoked = new SessionIdSet();
  const positions = new Map<number, bigint>();
  try {
    await readFeedToEnd(consumer, input.topic, input.end, {
      nowSeconds: input.nowSeconds,
      revoked,
      positions,
    });
  } finally {
    await consumer.disconnect();
  }
  revoked.fit();
  const { keys, expiries, count } = revoked.state();
  writeFileSync(input.tableFile, new Uint8Array(keys.buffer), { mode: 0o600 });
  writeFileSync(input.tableFile, new Uint8Array(expiries.buffer), { flag: 'a' });
  return { count, capacity: expiries.length, positions: [...positions] };
}

process.once('message', (input: FeedBootstrapInput) => {
  void bootstrap(input).then(
    (output) => process.send?.(output, () => process.exit(0)),
    (error: unknown) => {
      console.error('revocations: the feed bootstrap failed:', error);
      process.exit(1);
    },
  );
});
