import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { decodeRecords, encodeEnvelope, type EventEnvelope } from '@session-authority/events';
import {
  createFeedWriter,
  ensureCompactedTopic,
  type FeedWriter,
} from '@session-authority/event-log';
import {
  projectionsOf,
  rebuildFromState,
  rebuildReadModel,
  stateStep,
} from '@session-authority/projector';
import {
  createProjectionStore,
  STATE_CHECKPOINT_KEY,
  type ProjectionBatch,
} from '@session-authority/read-model';
import { extendedEvent, issuedEvent, revokedEvent } from '../support/events.js';
import { createRawProducer, type RawProducer } from '../support/raw-producer.js';
import {
  createTestDatabase,
  createTestTopic,
  kafkaBrokers,
  type TestDatabase,
} from '../support/stores.js';

let db: TestDatabase;
let topic: string;
let stateTopic: string;
let producer: RawProducer;
let state: FeedWriter;

beforeAll(async () => {
  db = await createTestDatabase();
  topic = await createTestTopic(1);
  stateTopic = `${topic}.session-state`;
  const connection = { brokers: kafkaBrokers(), clientId: 'test-state' };
  await ensureCompactedTopic(connection, {
    topic: stateTopic,
    partitions: 1,
    replicationFactor: 1,
  });
  state = await createFeedWriter({ ...connection, topic: stateTopic });
  producer = await createRawProducer(topic);
});

afterAll(async () => {
  await Promise.all([producer.close(), state.close()]);
  await db.drop();
});

/** Appends the events to the log's only partition; the batch a subscription would deliver. */
async function appended(events: readonly EventEnvelope[]): Promise<ProjectionBatch> {
  const offsets = await producer.sendEvents(0, events);
  const records = events.map((event, i) => ({
    offset: offsets[i] ?? -1n,
    record: encodeEnvelope(event),
    timestamp: new Date(),
  }));
  const { events: decoded, quarantined } = decodeRecords(records);
  const last = offsets.at(-1) ?? -1n;
  return { partition: 0, events: decoded, quarantined, records, nextOffset: last + 1n };
}

function storeWriting(writer: FeedWriter) {
  return createProjectionStore({
    em: db.orm.em,
    schema: 'public',
    topic,
    projections: projectionsOf(['sessions']),
    preCommit: [stateStep(writer)],
  });
}

async function sessionRows(schema: string): Promise<string[]> {
  const rows = await db.orm.em
    .fork()
    .execute<{ row: string }[]>(
      `select to_jsonb(s)::text as row from "${schema}".sessions s order by id`,
    );
  return rows.map((r) => r.row);
}

describe('the session state ahead of its checkpoint', () => {
  it('rows of a batch that never committed, and no checkpoint for them: the rebuild still equals a replay', async () => {
    const issued = Array.from({ length: 12 }, () => issuedEvent());
    const data = (i: number) => {
      const event = issued[i];
      if (event === undefined) throw new Error(`no issuance ${i}`);
      return event.data;
    };
    await storeWriting(state).apply([await appended(issued)]);

    // The state gets the second batch's rows but not its checkpoint, and the batch never commits.
    const rowsOnly: FeedWriter = {
      write: async (partition, entries) => {
        await state.write(
          partition,
          entries.filter((e) => e.key !== STATE_CHECKPOINT_KEY),
        );
        throw new Error('the projector died before the checkpoint and the commit');
      },
      close: () => Promise.resolve(),
    };
    const later = new Date(Date.now() + 7_200_000);
    const fresh = issuedEvent();
    const second = await appended([
      ...issued.slice(0, 4).map((e) => revokedEvent(e.data)),
      extendedEvent(data(4), later),
      revokedEvent(data(4)),
      revokedEvent(data(5)),
      extendedEvent(data(5), later),
      fresh,
      extendedEvent(fresh.data, later),
      extendedEvent(data(0), later),
    ]);
    await expect(storeWriting(rowsOnly).apply([second])).rejects.toThrow('died before');
    const [live] = await db.orm.em
      .fork()
      .execute<{ revoked: string }[]>('select count(revoked_at) as revoked from sessions');
    expect(live?.revoked).toBe('0');

    const logger = pino({ level: 'warn' });
    const common = { brokers: kafkaBrokers(), topic, databaseUrl: db.url, logger };
    await rebuildReadModel({ ...common, schema: 'replayed', projections: ['sessions'] });
    const fromState = await rebuildFromState({
      ...common,
      schema: 'from_state',
      stateTopic,
      projections: ['sessions'],
    });
    // 12 rows, then the 7 the lost batch touched (its 11 records apply again from the log).
    expect(fromState).toMatchObject({ stateRecords: 19, tailRecords: 11 });
    const replayed = await sessionRows('replayed');
    expect(replayed).toHaveLength(13);
    expect(await sessionRows('from_state')).toEqual(replayed);
  });
});
