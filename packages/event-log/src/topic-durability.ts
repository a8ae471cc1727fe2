import kafkajs from 'kafkajs';
import { createKafka } from './kafka-client.js';
import type { KafkaConnection } from './types.js';

// A CommonJS export Node's named-import detection does not see.
const { ConfigResourceTypes } = kafkajs;

/** How many brokers hold each record of a topic, and how many must have it before an ack. */
export interface TopicDurability {
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
}

/** The topic keeps its records on fewer brokers, or acks them with fewer, than configured. */
export class WeakTopicError extends Error {
  constructor(topic: string, found: TopicDurability, required: TopicDurability) {
    super(
      `topic ${topic} has replication factor ${found.replicationFactor} and min.insync.replicas ` +
        `${found.minInsyncReplicas}; this deployment requires at least ${required.replicationFactor} ` +
        `and ${required.minInsyncReplicas} (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS). ` +
        'An acknowledged revocation could be lost with one broker. Raise them on the topic ' +
        '(kafka-reassign-partitions, kafka-configs), or lower the settings if this is intended.',
    );
    this.name = 'WeakTopicError';
  }
}

/** The lowest replication factor of any partition, and the topic's effective min.insync.replicas. */
export async function readTopicDurability(
  connection: KafkaConnection,
  topic: string,
): Promise<TopicDurability> {
  const admin = createKafka(connection).admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    const replicationFactor = Math.min(...partitions.map((p) => p.replicas.length));
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] },
      ],
    });
    const entry = described.resources[0]?.configEntries.find(
      (e) => e.configName === 'min.insync.replicas',
    );
    return { replicationFactor, minInsyncReplicas: Number(entry?.configValue ?? '1') };
  } finally {
    await admin.disconnect();
  }
}

/** Refuses (WeakTopicError) a topic less durable than required. */
export async function checkTopicDurability(
  connection: KafkaConnection,
  topic: string,
  required: TopicDurability,
): Promise<void> {
  const found = await readTopicDurability(connection, topic);
  if (
    found.replicationFactor < required.replicationFactor ||
    found.minInsyncReplicas < required.minInsyncReplicas
  )
    throw new WeakTopicError(topic, found, required);
}
