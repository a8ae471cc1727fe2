import { Kafka, type ConsumerConfig, type KafkaConfig } from 'kafkajs';

/** Whether the value survives a copy to another process (a function in it would not). */
function canCopy(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

const isClient = (kafka: Kafka | KafkaConfig): kafka is Kafka =>
  typeof (kafka as Kafka).consumer === 'function';

// About two minutes, as the projector's: outlasts a broker's failover and a node's restart.
const RETRY = { retries: 120, initialRetryTime: 100, maxRetryTime: 1000 };

/**
 * A configuration the caller gave, with the consumers' retry budget for the client's own retries
 * unless it sets one: those (metadata, the group's coordinator) run under the consumer's, and
 * kafkajs's 5 ran out on a dead node's address within seconds and stopped the consumer.
 */
export function clientConfig(given: KafkaConfig): KafkaConfig {
  return { retry: RETRY, ...given };
}

/**
 * The client to use, and the configuration a bootstrap process can connect with: only when the
 * caller gave a configuration, and one that can be copied to another process.
 */
export function resolveKafka(given: Kafka | KafkaConfig): {
  readonly kafka: Kafka;
  readonly bootstrapConfig: KafkaConfig | undefined;
} {
  if (isClient(given)) return { kafka: given, bootstrapConfig: undefined };
  const config = clientConfig(given);
  return { kafka: new Kafka(config), bootstrapConfig: canCopy(config) ? config : undefined };
}

/** Every consumer of the client: in its own group, committing nothing (groupId aside). */
export const CONSUMER_SETTINGS = {
  allowAutoTopicCreation: false,
  maxWaitTimeInMs: 20,
  retry: RETRY,
  // Small fetches: fewer decoded messages alive at once.
  maxBytes: 1024 * 1024,
} satisfies Omit<ConsumerConfig, 'groupId'>;
