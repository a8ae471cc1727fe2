import { loadProjectorConfig } from '@session-authority/config';
import { prepareStores } from '@session-authority/projector';
import { ensureDatabase } from '../postgres.js';

const config = loadProjectorConfig();
await ensureDatabase(config.DATABASE_URL);
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
