import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuedEvent, revokedEvent } from '../support/events.js';
import { createRawProducer } from '../support/raw-producer.js';
import { runScript } from '../support/run-script.js';
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
  topic = await createTestTopic(3);
});

afterAll(async () => {
  await db.drop();
});

function rebuild(schema: string) {
  return runScript('services/projector/dist/rebuild-cli.js', ['--schema', schema], {
    PATH: process.env.PATH ?? '',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_TOPIC: topic,
    DATABASE_URL: db.url,
    LOG_LEVEL: 'warn',
  });
}

describe('npm run rebuild', () => {
  it('replays the whole log into a fresh schema, and refuses a schema that already holds one', async () => {
    const producer = await createRawProducer(topic);
    const issued = Array.from({ length: 90 }, () => issuedEvent());
    const revoked = issued.slice(0, 30).map((event) => revokedEvent(event.data));
    for (const [i, event] of [...issued, ...revoked].entries()) {
      await producer.sendEvents(i % 3, [event]);
    }
    await producer.close();

    const result = await rebuild('rebuilt_one');
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { schema: string; records: number };
    // 120 events and the topic's identity record.
    expect(summary).toMatchObject({ schema: 'rebuilt_one', records: 121 });

    const [counts] = await db.orm.em
      .fork()
      .execute<{ sessions: string; revoked: string }[]>(
        'select count(*) as sessions, count(revoked_at) as revoked from rebuilt_one.sessions',
      );
    expect(counts).toEqual({ sessions: '90', revoked: '30' });

    const again = await rebuild('rebuilt_one');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already holds a projection');
  });
});
