import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServiceToExit } from '../support/run-script.js';
import { startService } from '../support/service-process.js';
import {
  createTestDatabase,
  createTestTopic,
  kafkaBrokers,
  type TestDatabase,
} from '../support/stores.js';

let db: TestDatabase;
let topic: string;

beforeAll(async () => {
  db = await createTestDatabase();
  topic = await createTestTopic(4);
});

afterAll(async () => {
  await db.drop();
});

describe("the log's partition count is part of its identity", () => {
  it('recorded at first start; after the topic grows, the projector and a replica refuse to start with one clear line', async () => {
    const env = { kafkaBrokers: kafkaBrokers().join(','), databaseUrl: db.url, topic };
    const first = await startService('projector', env);
    await first.stop();
    const [recorded] = await db.orm.em
      .fork()
      .execute<{ partitions: number }[]>('select partitions from log_topics where topic = ?', [
        topic,
      ]);
    expect(recorded?.partitions).toBe(4);

    const admin = new Kafka({
      clientId: 'test-grow',
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.createPartitions({ topicPartitions: [{ topic, count: 6 }] });
    await admin.disconnect();

    for (const entry of [
      'services/projector/dist/main.js',
      'services/auth-api/dist/server.js',
    ] as const) {
      const run = await runServiceToExit(entry, {
        KAFKA_BROKERS: env.kafkaBrokers,
        KAFKA_TOPIC: topic,
        DATABASE_URL: db.url,
      });
      expect(run.code, run.output).toBe(1);
      expect(run.fatal).toHaveLength(1);
      expect(run.fatal[0]).toContain(`topic ${topic} has 6 partitions, but had 4`);
    }
  });
});

describe("the log's durability is checked like its identity", () => {
  it('a log on fewer brokers than KAFKA_REPLICATION_FACTOR: setup, the projector and a replica refuse with one clear line', async () => {
    const weak = await createTestTopic(4);
    // This broker is alone: the log has one replica, which a deployment asking for two refuses.
    const required = { KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '1' };
    for (const entry of [
      'infra/local/dist/cli/migrate.js',
      'services/projector/dist/main.js',
      'services/auth-api/dist/server.js',
    ] as const) {
      const run = await runServiceToExit(entry, {
        KAFKA_BROKERS: kafkaBrokers().join(','),
        KAFKA_TOPIC: weak,
        DATABASE_URL: db.url,
        ...required,
      });
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain(
        `topic ${weak} has replication factor 1 and min.insync.replicas 1; this deployment requires at least 2 and 1`,
      );
    }
  });
});
