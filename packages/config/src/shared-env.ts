import { z } from 'zod';
import { brokerList, logLevel, positiveInt, postgresUrl } from './env-fields.js';

export const DEFAULT_TOPIC = 'session-events';

export const kafkaEnv = {
  KAFKA_BROKERS: brokerList,
  KAFKA_TOPIC: z.string().min(1).default(DEFAULT_TOPIC),
  KAFKA_TOPIC_PARTITIONS: positiveInt(12),
  KAFKA_REPLICATION_FACTOR: positiveInt(1),
};

export const databaseEnv = {
  DATABASE_URL: postgresUrl,
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier')
    .default('public'),
  DATABASE_POOL_MAX: positiveInt(10),
};

export const loggingEnv = {
  LOG_LEVEL: logLevel,
};
