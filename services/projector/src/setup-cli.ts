import { loadProjectorConfig } from '@session-authority/config';
import { prepareStores } from './prepare-stores.js';

// The compose file's setup step, with the projector's settings (Kafka security included).
const config = loadProjectorConfig();
const result = await prepareStores({
  databaseUrl: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  brokers: config.KAFKA_BROKERS,
  security: config.KAFKA_SECURITY,
  topic: config.KAFKA_TOPIC,
  partitions: config.KAFKA_TOPIC_PARTITIONS,
  replicationFactor: config.KAFKA_REPLICATION_FACTOR,
});
console.log(`migrations applied; topic ${config.KAFKA_TOPIC} ${result.topic}`);
