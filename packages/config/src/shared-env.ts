import { hostname } from 'node:os';
import { z } from 'zod';
import { brokerList, logLevel, positiveInt, postgresUrl } from './env-fields.js';
import { kafkaSecurityEnv } from './kafka-security.js';

export const DEFAULT_TOPIC = 'session-events';

export const kafkaEnv = {
  KAFKA_BROKERS: brokerList,
  ...kafkaSecurityEnv,
  KAFKA_TOPIC: z.string().min(1).default(DEFAULT_TOPIC),
  KAFKA_TOPIC_PARTITIONS: positiveInt(12),
  KAFKA_REPLICATION_FACTOR: positiveInt(1),
  /** Default: 2, or KAFKA_REPLICATION_FACTOR when it is lower (see topicDurabilityOf). */
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().positive().optional(),
};

/** What the log and the feed are created with, and checked for at every start. */
export function topicDurabilityOf(config: {
  readonly KAFKA_REPLICATION_FACTOR: number;
  readonly KAFKA_MIN_INSYNC_REPLICAS?: number | undefined;
}): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = config.KAFKA_REPLICATION_FACTOR;
  const minInsyncReplicas = config.KAFKA_MIN_INSYNC_REPLICAS ?? Math.min(2, replicationFactor);
  if (minInsyncReplicas > replicationFactor)
    throw new Error(
      `KAFKA_MIN_INSYNC_REPLICAS (${minInsyncReplicas}) is above KAFKA_REPLICATION_FACTOR ` +
        `(${replicationFactor}): every write would be refused`,
    );
  return { replicationFactor, minInsyncReplicas };
}

export const feedEnv = {
  /** The compacted revocation feed the projector writes for downstream services (docs/downstream.md). */
  FEED_TOPIC: z.string().min(1).default('session-revocations'),
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

/** What every service process reads: the log, the read model, logging, where it listens, who it is. */
export const serviceEnv = {
  ...kafkaEnv,
  ...databaseEnv,
  ...loggingEnv,
  HOST: z.string().min(1).default('127.0.0.1'),
  INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  SHUTDOWN_GRACE_MS: positiveInt(10_000),
};
