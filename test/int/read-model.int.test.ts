import {
  applyProjectionBatch,
  applyProjectionBatches,
  type ProjectionBatch,
} from '@session-authority/read-model';
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

  it('applies batches of several partitions in one transaction, skipping one applied before', async () => {
    const [a, b] = [issuedEvent(), issuedEvent()];
    const of = (partition: number, event: typeof a): ProjectionBatch => ({
      projection: 'sessions',
      topic: 'several',
      partition,
      events: [{ offset: '0', event }],
      nextOffset: '1',
    });
    await applyProjectionBatch(db.orm.em, 'public', of(1, a));
    const outcomes = await applyProjectionBatches(db.orm.em, 'public', [of(1, a), of(2, b)]);
    expect(outcomes.map((o) => o.applied.length)).toEqual([0, 1]);
    expect(await sessionRow(db, b.data.session_id)).toBeDefined();
    const [row] = await db.orm.em
      .fork()
      .execute<{ log_partition: number }[]>('select log_partition from sessions where id = ?', [
        b.data.session_id,
      ]);
    expect(row?.log_partition).toBe(2);
  });
});
