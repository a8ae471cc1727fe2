import { applyProjectionBatch, type ProjectionBatch } from '@session-authority/read-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuedEvent, revokedEvent } from '../support/events.js';
import { sessionRow } from '../support/projector-probe.js';
import { createTestDatabase, type TestDatabase } from '../support/stores.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

describe('the read model in PostgreSQL', () => {
  it('the committed migrations produce exactly the schema the entities describe', async () => {
    const drift = await db.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false });
    expect(drift.trim()).toBe('');
  });

  it('a redelivered batch, whole or overlapping, changes nothing', async () => {
    const issued = issuedEvent();
    const first = revokedEvent(issued.data, new Date(Date.now() + 1000));
    const batch = (events: ProjectionBatch['events'], nextOffset: string): ProjectionBatch => ({
      projection: 'sessions',
      topic: 'redelivery',
      partition: 3,
      events,
      nextOffset,
    });
    const original = batch(
      [
        { offset: '0', event: issued },
        { offset: '1', event: first },
      ],
      '2',
    );
    expect((await applyProjectionBatch(db.orm.em, 'public', original)).applied).toHaveLength(2);
    const before = await sessionRow(db, issued.data.session_id);

    const again = await applyProjectionBatch(db.orm.em, 'public', original);
    expect(again).toEqual({ applied: [], nextOffset: '2' });

    const later = revokedEvent(issued.data, new Date(Date.now() + 9000));
    const overlapping = await applyProjectionBatch(
      db.orm.em,
      'public',
      batch(
        [
          { offset: '1', event: first },
          { offset: '2', event: later },
        ],
        '3',
      ),
    );
    expect(overlapping.applied.map((e) => e.offset)).toEqual(['2']);
    expect(await sessionRow(db, issued.data.session_id)).toEqual(before);
  });
});
