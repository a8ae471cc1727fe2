import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEnvelope, type RawRecord } from '@session-authority/events';
import { pino } from 'pino';
import {
  projectToEnd,
  rebuildAuditProjection,
  rebuildReadModel,
} from '@session-authority/projector';
import {
  auditProjection,
  migrateReadModel,
  openReadModel,
  pinTopic,
  type ReadModelOrm,
} from '@session-authority/read-model';
import { readTopicIdentity } from '@session-authority/event-log';
import { extendedEvent, issuedEvent, revokedEvent } from '../support/events.js';
import { createRawProducer } from '../support/raw-producer.js';
import {
  createTestDatabase,
  createTestTopic,
  kafkaBrokers,
  type TestDatabase,
} from '../support/stores.js';

let db: TestDatabase;
const logger = pino({ level: 'silent' });
const kafka = () => ({ brokers: kafkaBrokers(), clientId: 'test-audit-load', logger });

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

/** Text that COPY's format must escape, and text it need not. */
const AWKWARD = 'tab\there, line\nend\r\n, back\\slash \\N, quote " é ü 😀 \u2028';

/** A record whose headers are those of an event but whose value no schema accepts. */
function quarantinable(sessionId: string, data: Record<string, unknown>): RawRecord {
  const record = encodeEnvelope(issuedEvent());
  return { ...record, key: Buffer.from(sessionId), value: Buffer.from(JSON.stringify(data)) };
}

async function writeLog(topic: string) {
  const producer = await createRawProducer(topic);
  try {
    for (let i = 0; i < 30; i++) {
      const issued = issuedEvent({ request_id: i === 3 ? AWKWARD : randomUUID() });
      const extended = extendedEvent(issued.data, new Date(Date.now() + 7_200_000));
      const revoked = revokedEvent(issued.data);
      await producer.sendEvents(i % 3, i % 2 === 0 ? [issued, extended, revoked] : [issued]);
    }
    const odd = encodeEnvelope(issuedEvent());
    await producer.send(1, [
      quarantinable(randomUUID(), { note: AWKWARD, nested: { list: [1, 'two', null] } }),
      // An event type nobody knows, its ce_id awkward text; then a value that is not JSON.
      {
        ...odd,
        headers: { ...odd.headers, ce_type: 'com.example.unknown.v9', ce_id: AWKWARD },
      },
      { ...odd, key: Buffer.from(randomUUID()), value: Buffer.from('not json\t\\') },
    ]);
  } finally {
    await producer.close();
  }
}

async function fresh(schema: string, topic: string): Promise<ReadModelOrm> {
  const orm = await openReadModel({ url: db.url, schema });
  await migrateReadModel(orm);
  await pinTopic(orm.em, schema, await readTopicIdentity(kafka(), topic));
  return orm;
}

async function auditRows(schema: string) {
  const rows = await db.orm.em
    .fork()
    .execute<{ row: string }[]>(
      `select to_jsonb(a)::text as row from "${schema}".audit_events a order by log_partition, log_offset`,
    );
  return rows.map((r) => r.row);
}

async function indexes(schema: string) {
  const rows = await db.orm.em.fork().execute<{ definition: string }[]>(
    `select replace(indexdef, ?, '') as definition from pg_indexes
       where schemaname = ? and tablename = 'audit_events' order by indexname`,
    [`${schema}.`, schema],
  );
  return rows.map((r) => r.definition);
}

/** The table's constraints: its primary key must come back as a key, not as a bare index. */
async function constraints(schema: string) {
  const rows = await db.orm.em.fork().execute<{ constraint: string }[]>(
    `select conname || ' ' || pg_get_constraintdef(oid) as constraint from pg_constraint
       where conrelid = ?::regclass order by conname`,
    [`"${schema}".audit_events`],
  );
  return rows.map((r) => r.constraint);
}

/** Pages of audit_events, and those all visible (set by COPY FREEZE; counted when an index is built). */
async function visiblePages(schema: string) {
  const [row] = await db.orm.em
    .fork()
    .execute<{ pages: number; visible: number }[]>(
      `select relpages as pages, relallvisible as visible from pg_class where oid = ?::regclass`,
      [`"${schema}".audit_events`],
    );
  return row;
}

describe('the audit projection made by COPY in a rebuild', () => {
  it('equals, row for row and index for index, what the projector writes record by record', async () => {
    const topic = await createTestTopic(3);
    await writeLog(topic);
    const orm = await fresh('audit_applied', topic);
    try {
      const connection = kafka();
      await projectToEnd({
        brokers: kafkaBrokers(),
        topic,
        databaseUrl: db.url,
        schema: 'audit_applied',
        logger,
        orm,
        connection,
        projections: [auditProjection],
      });
    } finally {
      await orm.close();
    }
    const rebuilt = await rebuildReadModel({
      brokers: kafkaBrokers(),
      topic,
      databaseUrl: db.url,
      schema: 'audit_copied',
      logger,
    });
    expect(rebuilt.auditSeconds).not.toBeNull();

    const applied = await auditRows('audit_applied');
    // 15 × 3 + 15 events, three odd records and the topic's identity record.
    expect(applied).toHaveLength(64);
    expect(applied.join('\n')).toContain('"problem": ');
    expect(await auditRows('audit_copied')).toEqual(applied);
    expect(await indexes('audit_copied')).toEqual(await indexes('audit_applied'));
    expect(await indexes('audit_copied')).toHaveLength(5);
    expect(await constraints('audit_copied')).toEqual(await constraints('audit_applied'));
    expect(await constraints('audit_copied')).toEqual([
      'audit_events_pkey PRIMARY KEY (topic, log_partition, log_offset)',
    ]);
    // Written frozen: no later scan has to set hint bits, no vacuum has to freeze them again.
    const pages = await visiblePages('audit_copied');
    expect(pages?.pages).toBeGreaterThan(0);
    expect(pages?.visible).toBe(pages?.pages);
  });

  it('a record that halts the log leaves the schema as it was: no rows, every index', async () => {
    const topic = await createTestTopic(1);
    const producer = await createRawProducer(topic);
    await producer.sendEvents(0, [issuedEvent(), issuedEvent()]);
    await producer.send(0, [{ key: null, value: Buffer.from('{}'), headers: {} }]);
    await producer.close();
    const orm = await fresh('audit_halted', topic);
    try {
      await expect(
        rebuildAuditProjection({ orm, schema: 'audit_halted', topic, connection: kafka() }),
      ).rejects.toThrow(/halts partition 0 at offset 3/);
    } finally {
      await orm.close();
    }
    expect(await auditRows('audit_halted')).toEqual([]);
    expect(await indexes('audit_halted')).toHaveLength(5);
    expect(await constraints('audit_halted')).toHaveLength(1);
  });
});
