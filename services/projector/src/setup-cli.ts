import { authApiEnvSchema } from '@session-authority/config';
import { prepareStores } from './prepare-stores.js';

// The compose file's setup step: the same settings as the services, the admin key aside.
const env = authApiEnvSchema.omit({ ADMIN_API_KEY: true }).parse(process.env);
const result = await prepareStores({
  databaseUrl: env.DATABASE_URL,
  schema: env.DATABASE_SCHEMA,
  brokers: env.KAFKA_BROKERS,
  topic: env.KAFKA_TOPIC,
  partitions: env.KAFKA_TOPIC_PARTITIONS,
  replicationFactor: env.KAFKA_REPLICATION_FACTOR,
});
console.log(`migrations applied; topic ${env.KAFKA_TOPIC} ${result.topic}`);
