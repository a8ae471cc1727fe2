import { freePort } from '@session-authority/local-infra';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';
import { ADMIN_KEY, startService } from '../support/service-process.js';
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

    const processEnv = {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: env.kafkaBrokers,
      KAFKA_TOPIC: topic,
      DATABASE_URL: db.url,
      ADMIN_API_KEY: ADMIN_KEY,
      PUBLIC_PORT: String(await freePort()),
      ADMIN_PORT: String(await freePort()),
      PROJECTOR_PORT: String(await freePort()),
    };
    for (const entry of ['services/projector/dist/main.js', 'services/auth-api/dist/server.js']) {
      const run = await runScript(entry, [], processEnv);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const fatal = (run.stdout + run.stderr)
        .split('\n')
        .filter((line) => line.includes('"level":60'));
      expect(fatal).toHaveLength(1);
      expect(fatal[0]).toContain(`topic ${topic} has 6 partitions, but had 4`);
    }
  });
});
