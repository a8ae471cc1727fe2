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
    const created = await admin.createTopics({
      waitForLeaders: true,
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

/** Creates the topic when it is missing, then gives it its identity record if it has none. */
async function createTopicIfMissing(
  connection: KafkaConnection,
  spec: TopicSpec,
  configEntries: { name: string; value: string }[],
): Promise<'created' | 'exists'> {
  const outcome = await createTopic(connection, spec, configEntries);
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
