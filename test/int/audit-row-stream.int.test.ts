import type { CheckpointBody } from '@session-authority/audit';
import { openSinceCheckpoint, openVerificationSnapshot } from '@session-authority/read-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/stores.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

/** `count` audit rows of one partition from `from` on; only the columns verify needs are real. */
async function insertRows(topic: string, partition: number, from: number, count: number) {
  await db.orm.em.fork().execute(
    `insert into audit_events (topic, log_partition, log_offset, at, event_id, record_sha256, chain_sha256)
     select ?, ?, n, now(), 'event-' || n, md5(n::text) || md5(n::text), md5((-n)::text) || md5((-n)::text)
     from generate_series(?::bigint, ?::bigint) as n`,
    [topic, partition, from, from + count - 1],
  );
}

const offsets = (rows: readonly { offset: bigint }[]) => rows.map((row) => Number(row.offset));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("verify's audit rows, a page at a time", () => {
  it('hands out each partition in offset order across pages, with cursors interleaved on one connection, as of the snapshot', async () => {
    await insertRows('streamed', 0, 0, 12_001);
    await insertRows('streamed', 1, 0, 3);
    await insertRows('another-topic', 0, 0, 2);
    const snapshot = await openVerificationSnapshot(db.orm.em, 'public', 'streamed');
    try {
      // Written after the snapshot opened: not part of what it verifies.
      await insertRows('streamed', 0, 12_001, 1);
      const [zero, one] = [snapshot.auditRows(0), snapshot.auditRows(1)];
      const [first, ofOne] = await Promise.all([zero.below(4999n), one.below(2n)]);
      expect(offsets(first)).toEqual(range(0, 4999));
      expect(offsets(ofOne)).toEqual([0, 1]);
      // Across two page boundaries (5,000 rows a page).
      expect(offsets(await zero.below(10_001n))).toEqual(range(4999, 10_001));
      expect(await zero.below(10_001n)).toEqual([]);
      const rest = await zero.rest();
      expect(offsets(rest)).toEqual(range(10_001, 12_001));
      expect(rest[0]).toMatchObject({ eventId: 'event-10001', columnsDigest: /^[0-9a-f]{32}$/ });
      expect(offsets(await one.rest())).toEqual([2]);
      expect(await snapshot.auditRows(5).rest()).toEqual([]);
    } finally {
      await snapshot.close();
    }
  });
});

describe("verify --since-checkpoint's reads on the snapshot's connection", () => {
  it('run one at a time in the order asked, and fail once the snapshot is closed', async () => {
    await insertRows('since', 0, 0, 5);
    const [now] = await db.orm.em
      .fork()
      .execute<{ snapshot: string }[]>('select pg_current_snapshot()::text as snapshot');
    const body: CheckpointBody = {
      version: 1,
      topic: 'since',
      log: { clusterId: 'cluster', topicId: 'topic' },
      verifiedAt: new Date().toISOString(),
      snapshot: now?.snapshot ?? '',
      sessionsRows: 0,
      partitions: [
        {
          partition: 0,
          auditOffset: '3',
          chain: '0'.repeat(64),
          auditRows: 3,
          sessionsOffset: '3',
          quarantineOffset: '0',
          quarantineRows: 0,
        },
      ],
    };
    const snapshot = await openSinceCheckpoint(db.orm.em, 'public', body);
    // Asked for at once, they share the one connection in turn.
    const [fromCheckpoint, facts, history] = await Promise.all([
      snapshot.rowsFromCheckpoint(),
      snapshot.sessionFacts([]),
      snapshot.history([], new Map([[0, 3n]])),
    ]);
    expect(offsets(fromCheckpoint.auditRows.get(0) ?? [])).toEqual([3, 4]);
    expect([facts, history]).toEqual([[], []]);
    expect(await snapshot.scans).toMatchObject({ auditBelow: { rows: 3, written: 0 } });
    await snapshot.close();
    await expect(snapshot.sessionFacts([])).rejects.toThrow('the snapshot is closed');
  });
});
