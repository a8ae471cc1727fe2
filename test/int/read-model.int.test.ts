import { randomUUID } from 'node:crypto';
import {
  encodeEnvelope,
  type PositionedRecord,
  type SessionEvent,
} from '@session-authority/events';
import type { ProjectionInput } from '@session-authority/sessions';
import { chainNext, recordSha256 } from '@session-authority/audit';
import {
  AUDIT_COLUMNS,
  AUDIT_COLUMNS_DIGEST_SQL,
  auditColumnsOf,
  auditProjection,
  canonicalColumns,
  columnsDigest,
  createProjectionStore,
  readProjectionOffsets,
  sessionsProjection,
  type Projection,
  type ProjectionBatch,
} from '@session-authority/read-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectionCases } from '@session-authority/testkit';
import { issuedEvent, revokedEvent } from '../support/events.js';
import { sessionRow } from '../support/projector-probe.js';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/stores.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

const store = (topic: string, projections: readonly Projection[] = [sessionsProjection]) =>
  createProjectionStore({ em: db.orm.em, schema: 'public', topic, projections });

const positioned = (events: readonly SessionEvent[], from = 0n) =>
  events.map((event, i) => ({ offset: from + BigInt(i), event }));

/** The log records behind a batch: each event encoded, each quarantined record unreadable. */
function recordsOf(
  events: ProjectionBatch['events'],
  quarantined: ProjectionBatch['quarantined'],
): PositionedRecord[] {
  const unreadable = (sessionId: string) => ({
    key: Buffer.from(sessionId),
    value: Buffer.from('{not json'),
    headers: { ce_type: 'session.issued.v2' },
  });
  return [
    ...events.map(({ offset, event }) => ({
      offset,
      record: encodeEnvelope(event),
      timestamp: new Date(),
    })),
    ...quarantined.map(({ offset, sessionId, at }) => ({
      offset,
      record: unreadable(sessionId),
      timestamp: at,
    })),
  ].sort((a, b) => (a.offset < b.offset ? -1 : 1));
}

const batchOf = (
  partition: number,
  events: ProjectionBatch['events'],
  nextOffset: bigint,
  quarantined: ProjectionBatch['quarantined'] = [],
): ProjectionBatch => ({
  partition,
  events,
  quarantined,
  records: recordsOf(events, quarantined),
  nextOffset,
});

/** Events and quarantined records at consecutive offsets from `from`, as the projector hands them. */
function inputsBatch(inputs: readonly ProjectionInput[], from: bigint): ProjectionBatch {
  const at = inputs.map((input, i) => ({ input, offset: from + BigInt(i) }));
  return batchOf(
    0,
    at.flatMap(({ input, offset }) => ('event' in input ? [{ offset, event: input.event }] : [])),
    from + BigInt(inputs.length),
    at.flatMap(({ input, offset }) =>
      'quarantine' in input
        ? [{ offset, ...input.quarantine, type: 'session.issued.v2', problem: 'test' }]
        : [],
    ),
  );
}

describe('the read model in PostgreSQL', () => {
  it('the committed migrations produce exactly the schema the entities describe', async () => {
    const drift = await db.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false });
    expect(drift.trim()).toBe('');
  });

  // The same given/when/then cases as the pure rule's unit test: the SQL is that rule.
  it.each(projectionCases)('the projection SQL follows the rule: $name', async (spec) => {
    const ids = Object.keys(spec.then);
    for (const id of ids) await db.orm.em.fork().execute('delete from sessions where id = ?', [id]);
    const projection = store(uniqueName('case'));
    const given = BigInt(spec.given.length);
    await projection.apply([inputsBatch(spec.given, 0n)]);
    await projection.apply([inputsBatch(spec.when, given)]);
    for (const [id, want] of Object.entries(spec.then)) {
      const [row] = await db.orm.em
        .fork()
        .execute<{ revoked_at: Date | null; revoke_reason: string | null; expires_at: Date }[]>(
          'select revoked_at, revoke_reason, expires_at from sessions where id = ?',
          [id],
        );
      const got =
        row === undefined
          ? null
          : {
              revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
              revokeReason: row.revoke_reason,
              expiresAt: new Date(row.expires_at).toISOString(),
            };
      expect(got).toEqual(want);
    }
  });

  it('a redelivered batch, whole or overlapping, changes nothing', async () => {
    const projection = store('redelivery');
    const issued = issuedEvent();
    const first = revokedEvent(issued.data, new Date(Date.now() + 1000));
    const original = batchOf(3, positioned([issued, first]), 2n);
    const [applied] = await projection.apply([original]);
    expect(applied?.applied).toHaveLength(2);
    const before = await sessionRow(db, issued.data.session_id);

    expect(await projection.apply([original])).toEqual([{ applied: [], nextOffset: 2n }]);

    const later = revokedEvent(issued.data, new Date(Date.now() + 9000));
    const [overlapping] = await projection.apply([batchOf(3, positioned([first, later], 1n), 3n)]);
    expect(overlapping?.applied.map((e) => e.offset)).toEqual([2n]);
    expect(await sessionRow(db, issued.data.session_id)).toEqual(before);
  });

  it('a redelivered batch leaves the audit chain as it was, and a later one extends it', async () => {
    const topic = uniqueName('audit-redelivery');
    const projection = store(topic, [sessionsProjection, auditProjection]);
    const issued = issuedEvent();
    const first = batchOf(1, positioned([issued, revokedEvent(issued.data)]), 2n);
    await projection.apply([first]);
    const chain = () =>
      db.orm.em
        .fork()
        .execute<{ log_offset: string; chain_sha256: string }[]>(
          'select log_offset, chain_sha256 from audit_events where topic = ? order by log_offset',
          [topic],
        );
    const before = await chain();
    expect(before).toHaveLength(2);
    await projection.apply([first]);
    expect(await chain()).toEqual(before);
    const later = issuedEvent();
    await projection.apply([batchOf(1, positioned([revokedEvent(issued.data), later], 1n), 3n)]);
    const after = await chain();
    expect(after.slice(0, 2)).toEqual(before);
    const expected = chainNext(
      before[1]?.chain_sha256 ?? '',
      recordSha256(1, 2n, encodeEnvelope(later)),
    );
    expect(after[2]).toEqual({ log_offset: '2', chain_sha256: expected });
  });

  it("PostgreSQL's digest of an audit row's shown columns is the one verify computes from its record", async () => {
    const topic = uniqueName('audit-digest');
    const projection = store(topic, [sessionsProjection, auditProjection]);
    const issued = issuedEvent({
      // jsonb reorders keys and prints its own spacing; texts with quotes, separators and more.
      devices: [{ id: randomUUID(), ip_address: '10.0.0.1', user_agent: 'a "b", c: d ✓ 😀 \\ \n' }],
      authentication_methods: [{ method: 'password', aal: 'aal1' }],
    });
    const events = positioned([issued, revokedEvent(issued.data)]);
    // An unreadable record too: no data, no identity, a problem; every null is a field of its own.
    const unreadable = { offset: 2n, sessionId: randomUUID(), at: new Date(), problem: 'test' };
    const batch = batchOf(2, events, 3n, [{ ...unreadable, type: 'session.issued.v2' }]);
    await projection.apply([batch]);
    const stored = await db.orm.em.fork().execute<{ log_offset: string; digest: string }[]>(
      `select log_offset, ${AUDIT_COLUMNS_DIGEST_SQL} as digest from audit_events
         where topic = ? order by log_offset`,
      [topic],
    );
    const expected = batch.records.map((record) => ({
      log_offset: record.offset.toString(),
      digest: columnsDigest(
        canonicalColumns(
          AUDIT_COLUMNS,
          auditColumnsOf(record, record.offset === unreadable.offset ? 'test' : undefined),
        ),
      ),
    }));
    expect(stored).toHaveLength(3);
    expect(stored).toEqual(expected);
  });

  it('applies batches of several partitions in one transaction, skipping one applied before', async () => {
    const projection = store('several');
    const [a, b] = [issuedEvent(), issuedEvent()];
    await projection.apply([batchOf(1, positioned([a]), 1n)]);
    const outcomes = await projection.apply([
      batchOf(1, positioned([a]), 1n),
      batchOf(2, positioned([b]), 1n),
    ]);
    expect(outcomes.map((o) => o.applied.length)).toEqual([0, 1]);
    const [row] = await db.orm.em
      .fork()
      .execute<{ log_partition: number }[]>('select log_partition from sessions where id = ?', [
        b.data.session_id,
      ]);
    expect(row?.log_partition).toBe(2);
  });

  it('a projector whose offsets another one moved meanwhile (a failover and back) applies nothing twice', async () => {
    const topic = uniqueName('failover');
    const [leader, successor] = [store(topic), store(topic)];
    const [a, b, c] = [issuedEvent(), issuedEvent(), issuedEvent()];
    const later = revokedEvent(a.data, new Date(Date.now() + 9000));
    await leader.apply([batchOf(0, positioned([a]), 1n)]);
    await successor.apply([batchOf(0, positioned([a, b]), 2n)]);
    // The leader still holds offset 1 for the partition; the stored one is 2.
    const [outcome] = await leader.apply([batchOf(0, positioned([b, c, later], 1n), 4n)]);
    expect(outcome?.applied.map((e) => e.offset)).toEqual([2n, 3n]);
    expect((await readProjectionOffsets(db.orm.em, 'public', 'sessions', topic)).get(0)).toBe(4n);
    expect((await sessionRow(db, a.data.session_id))?.revoked_at).not.toBeNull();
    expect(await leader.apply([batchOf(0, positioned([later], 3n), 4n)])).toEqual([
      { applied: [], nextOffset: 4n },
    ]);
  });

  it('runs several projections in one transaction, each with its own offsets', async () => {
    const table = uniqueName('revocations_seen');
    await db.orm.em.fork().execute(`create table ${table} (session_id uuid, log_offset bigint)`);
    const seen: Projection = {
      name: 'revocations-seen',
      handles: new Set(['session.revoked.v2']),
      statements: (batches) =>
        batches.flatMap(({ events }) =>
          events.map(
            ({ offset, event }) => `insert into ${table} values ('${event.subject}', ${offset})`,
          ),
        ),
    };
    const topic = uniqueName('two');
    const both = store(topic, [sessionsProjection, seen]);
    const issued = issuedEvent();
    const events = positioned([issued, revokedEvent(issued.data)]);
    await both.apply([batchOf(0, events, 2n)]);
    const offsetsOf = async (name: string) =>
      (await readProjectionOffsets(db.orm.em, 'public', name, topic)).get(0);
    expect(await offsetsOf('sessions')).toBe(2n);
    expect(await offsetsOf('revocations-seen')).toBe(2n);
    expect(await both.startOffsets()).toEqual(new Map([[0, 2n]]));

    // One projection behind (as if added later): only it re-applies, and the start is its offset.
    await db.orm.em
      .fork()
      .execute(
        `update projection_offsets set next_offset = 0 where projection = 'revocations-seen' and topic = ?`,
        [topic],
      );
    expect(await both.startOffsets()).toEqual(new Map([[0, 0n]]));
    // Offsets are the running projector's own: a change like this one takes a restart.
    const restarted = store(topic, [sessionsProjection, seen]);
    const [outcome] = await restarted.apply([batchOf(0, events, 2n)]);
    expect(outcome?.applied).toHaveLength(2);
    const rows = await db.orm.em
      .fork()
      .execute<{ log_offset: unknown }[]>(`select * from ${table}`);
    expect(rows.map((r) => String(r.log_offset))).toEqual(['1', '1']);
    expect(await sessionRow(db, issued.data.session_id)).toMatchObject({ revoke_reason: 'admin' });
  });
});
