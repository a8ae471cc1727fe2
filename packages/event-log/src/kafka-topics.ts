import { createKafka } from './kafka-client.js';
import { markTopic } from './topic-identity.js';
import type { KafkaConnection } from './types.js';

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Default: 2, or the replication factor when it is lower. */
  readonly minInsyncReplicas?: number;
}

async function createTopic(
  connection: KafkaConnection,
  spec: TopicSpec,
  configEntries: { name: string; value: string }[],
): Promise<'created' | 'exists'> {
  const admin = createKafka(connection).admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(spec.topic)) return 'exists';
    // kafkajs's own wait gives up on the first UNKNOWN_TOPIC_OR_PARTITION a broker answers while
    // it learns of the topic (seen in a bench run); waitForLeadersEverywhere waits instead.
    const created = await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: [
            ...configEntries,
            {
              name: 'min.insync.replicas',
              value: String(spec.minInsyncReplicas ?? Math.min(2, spec.replicationFactor)),
            },
          ],
        },
      ],
    });
    return created ? 'created' : 'exists';
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every broker, asked on its own, names a leader for every partition: topic creation
 * returns once the controller has them, and a broker that does not know them yet answers
 * UNKNOWN_TOPIC_OR_PARTITION to the next step.
 */
async function waitForLeadersEverywhere(
  connection: KafkaConnection,
  spec: TopicSpec,
  timeoutMs = 30_000,
): Promise<void> {
  const admin = createKafka(connection).admin();
  await admin.connect();
  const { brokers } = await admin.describeCluster().finally(() => admin.disconnect());
  const deadline = Date.now() + timeoutMs;
  for (const { host, port } of brokers) {
    const one = createKafka({ ...connection, brokers: [`${host}:${port}`] }).admin();
    await one.connect();
    try {
      for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
        const known = await one
          .fetchTopicMetadata({ topics: [spec.topic] })
          .then((m) => m.topics[0]?.partitions ?? [])
          .catch(() => []);
        if (known.length >= spec.partitions && known.every((p) => p.leader >= 0)) break;
        if (Date.now() > deadline)
          throw new Error(
            `broker ${host}:${port} names no leader for every partition of ${spec.topic}`,
          );
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } finally {
      await one.disconnect();
    }
  }
}

/** Creates the topic when it is missing, then gives it its identity record if it has none. */
async function createTopicIfMissing(
  connection: KafkaConnection,
  spec: TopicSpec,
  configEntries: { name: string; value: string }[],
): Promise<'created' | 'exists'> {
  const outcome = await createTopic(connection, spec, configEntries);
  if (outcome === 'created') await waitForLeadersEverywhere(connection, spec);
  await markTopic(connection, spec.topic);
  return outcome;
}

/** Creates the event log topic if it is missing: infinite retention, since it is the audit trail. */
export function ensureTopic(
  connection: KafkaConnection,
  spec: TopicSpec,
): Promise<'created' | 'exists'> {
  return createTopicIfMissing(connection, spec, [
    { name: 'retention.ms', value: '-1' },
    { name: 'retention.bytes', value: '-1' },
    { name: 'cleanup.policy', value: 'delete' },
  ]);
}

/** Creates a compacted topic if it is missing: only the latest value of each key is kept. */
export function ensureCompactedTopic(
  connection: KafkaConnection,
  spec: TopicSpec,
): Promise<'created' | 'exists'> {
  return createTopicIfMissing(connection, spec, [{ name: 'cleanup.policy', value: 'compact' }]);
}

/** The log end offset (one past the last record) of every partition of a topic. */
export async function readLogEnd(
  connection: KafkaConnection,
  topic: string,
): Promise<Map<number, bigint>> {
  const admin = createKafka(connection).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** True when the cluster answers a metadata request within the client's timeouts. */
export async function pingKafka(connection: KafkaConnection): Promise<boolean> {
  const admin = createKafka(connection).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
