import { freePort } from '@session-authority/local-infra';

/** The image the compose file runs; testcontainers runs the same, in the same KRaft mode. */
export const KAFKA_IMAGE = 'apache/kafka:4.1.1';

/**
 * The compose file's broker settings, for a container whose port 9092 is published on
 * `hostPort` of this machine (so it can advertise an address the tests reach).
 */
export function kafkaContainerEnvironment(hostPort: number): Record<string, string> {
  return {
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    KAFKA_LOG_RETENTION_MS: '-1',
    KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
  };
}

/**
 * A KRaft broker from the compose file's image, as a plain GenericContainer: the
 * @testcontainers/kafka module runs Confluent's entry point, which apache/kafka rejects.
 * Only where a Docker engine answers; elsewhere the tests start the local broker (docs/operations.md).
 */
export async function startKafkaContainer(): Promise<{ brokers: string; stop(): Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const hostPort = await freePort();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withEnvironment(kafkaContainerEnvironment(hostPort))
    .withExposedPorts({ container: 9092, host: hostPort })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return {
    brokers: `127.0.0.1:${hostPort}`,
    stop: async () => {
      await container.stop();
    },
  };
}
