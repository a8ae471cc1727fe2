import { randomUUID } from 'node:crypto';
import { topicIdentityRecord, topicIdOf } from '@session-authority/events';
import type { Admin, Kafka } from 'kafkajs';
import { createKafka } from './kafka-client.js';
import type { KafkaConnection } from './types.js';

/** Which log a topic is: the cluster that serves it and the record it starts with. */
export interface TopicIdentity {
  readonly topic: string;
  readonly clusterId: string;
  readonly partitions: number;
  /** See topicIdOf; undefined while partition 0 holds no record at all. */
  readonly topicId: string | undefined;
}

/** Partition 0 no longer starts at offset 0: the record that identified the topic is deleted. */
export class TopicStartDeletedError extends Error {
  constructor(topic: string, logStart: bigint) {
    super(
      `topic ${topic} partition 0 starts at offset ${logStart}: its first records were deleted, ` +
        'and with them the record that identifies the log; its positions cannot be trusted. ' +
        'Rebuild a read model from a log that is whole.',
    );
    this.name = 'TopicStartDeletedError';
  }
}

const isRetriable = (error: unknown) =>
  (error as { retriable?: unknown } | null)?.retriable === true;

/**
 * Runs `use` with an admin client, again while it fails with an error Kafka calls retriable: a
 * topic just created can answer NOT_LEADER_FOR_PARTITION until its leader is known everywhere.
 */
async function withAdmin<T>(
  kafka: Kafka,
  use: (admin: Admin) => Promise<T>,
  timeoutMs = 15_000,
): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
      try {
        return await use(admin);
      } catch (error) {
        if (!isRetriable(error) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** The record at offset 0 of partition 0, read by a consumer of its own that commits nothing. */
async function readFirstRecord(kafka: Kafka, topic: string, timeoutMs: number) {
  const consumer = kafka.consumer({
    groupId: `topic-identity-${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 50,
    maxBytesPerPartition: 64 * 1024,
  });
  const { promise, resolve, reject } = Promise.withResolvers<{
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | string | undefined>;
  }>();
  const timer = setTimeout(
    () => reject(new Error(`the first record of ${topic} was not read within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const first = batch.messages[0];
        if (batch.partition === 0 && first?.offset === '0') {
          const headers = Object.fromEntries(
            Object.entries(first.headers ?? {}).map(([name, value]) => [
              name,
              Array.isArray(value) ? value[0] : value,
            ]),
          );
          resolve({ key: first.key, value: first.value, headers });
        }
        return Promise.resolve();
      },
    });
    return await promise;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

/** The cluster id, the partition count and the first record's identity of a topic. */
export async function readTopicIdentity(
  connection: KafkaConnection,
  topic: string,
  timeoutMs = 30_000,
): Promise<TopicIdentity> {
  const kafka = createKafka(connection);
  const { clusterId, offsets } = await withAdmin(kafka, async (admin) => ({
    clusterId: (await admin.describeCluster()).clusterId,
    offsets: await admin.fetchTopicOffsets(topic),
  }));
  const zero = offsets.find((o) => o.partition === 0);
  const low = BigInt(zero?.low ?? '0');
  const high = BigInt(zero?.high ?? '0');
  const base = { topic, clusterId, partitions: offsets.length };
  if (high === 0n) return { ...base, topicId: undefined };
  if (low > 0n) throw new TopicStartDeletedError(topic, low);
  return { ...base, topicId: topicIdOf(await readFirstRecord(kafka, topic, timeoutMs)) };
}

/**
 * Writes the identity record while partition 0 is still empty (a topic just created, or one made
 * by hand); a topic that already has a first record keeps it. When two setups race, both records
 * are written and the one at offset 0 is the identity, for both.
 */
export async function markTopic(connection: KafkaConnection, topic: string): Promise<void> {
  const kafka = createKafka(connection);
  const [zero] = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic)).then((all) =>
    all.filter((o) => o.partition === 0),
  );
  if (zero === undefined || BigInt(zero.high) > 0n) return;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const record = topicIdentityRecord(topic, connection.clientId);
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          partition: 0,
          key: record.key,
          value: record.value,
          headers: record.headers,
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}
