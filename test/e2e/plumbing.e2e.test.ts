import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKafkaAppender, type EventAppender } from '@session-authority/event-log';
import { issuedEvent } from '../support/events.js';
import { startService, type RunningService } from '../support/service-process.js';
import {
  createTestDatabase,
  createTestTopic,
  kafkaBrokers,
  type TestDatabase,
} from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

let db: TestDatabase;
let topic: string;
let appender: EventAppender;
let projector: RunningService;

beforeAll(async () => {
  db = await createTestDatabase();
  topic = await createTestTopic();
  appender = await createKafkaAppender({
    brokers: kafkaBrokers(),
    clientId: 'plumbing-test',
    topic,
  });
  projector = await startService('projector', {
    kafkaBrokers: kafkaBrokers().join(','),
    databaseUrl: db.url,
    topic,
  });
});

afterAll(async () => {
  await projector.stop();
  await appender.close();
  await db.drop();
});

it('a record produced to the real broker is consumed by the projector process and lands in PostgreSQL', async () => {
  const event = issuedEvent();
  const [position] = await appender.append([event]);
  expect(position?.offset).toBeGreaterThanOrEqual(0n);

  const row = await waitFor('the session row', async () => {
    const rows = await db.orm.em
      .fork()
      .execute<{ id: string; token_sha256: string; log_offset: string }[]>(
        'select id, token_sha256, log_offset from sessions where id = ?',
        [event.data.session_id],
      );
    return rows[0];
  });
  expect(row.token_sha256).toBe(event.data.token_sha256);
  expect(BigInt(row.log_offset)).toBe(position?.offset);
});
