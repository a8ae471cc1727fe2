import { randomUUID } from 'node:crypto';
import {
  createSessionReader,
  pageStatement,
  type SessionPageQuery,
} from '@session-authority/read-model';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/stores.js';

const SESSIONS = 100_000;
/** Sessions 1..HEAVY belong to one identity (a shared kiosk, a bot); the rest to 2,000 others. */
const HEAVY = 20_000;
const IDENTITIES = 2_000;

let db: TestDatabase;
let client: pg.Client;
let typical = '';
let heavy = '';
let middle = '';

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  // Every tenth session of each identity revoked, and every tenth (another one) expired.
  await client.query(
    `insert into sessions (id, identity_id, token_sha256, issued_at, authenticated_at, expires_at,
       revoked_at, revoke_reason, log_partition, log_offset)
     select gen_random_uuid(),
       md5('identity:' || case when n <= $2::int then 'heavy' else (n % $3::int)::text end)::uuid,
       encode(sha256(n::text::bytea), 'hex'), now(), now(),
       now() + case when (n / $3::int) % 10 = 1 then interval '-1 hour' else interval '1 day' end,
       case when (n / $3::int) % 10 = 0 then now() end,
       case when (n / $3::int) % 10 = 0 then 'admin' end, n % 4, n
     from generate_series(1, $1::int) as n`,
    [SESSIONS, HEAVY, IDENTITIES],
  );
  await client.query('analyze sessions');
  const picked = await client.query<{ typical: string; heavy: string; middle: string }>(
    `select md5('identity:7')::uuid as typical, md5('identity:heavy')::uuid as heavy,
       (select id from sessions order by id offset $1 limit 1) as middle`,
    [SESSIONS / 2],
  );
  ({ typical, heavy, middle } = picked.rows[0] ?? { typical: '', heavy: '', middle: '' });
}, 120_000);

afterAll(async () => {
  await client.end();
  await db.drop();
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

async function planOf(query: SessionPageQuery): Promise<PlanNode[]> {
  const { text, values } = pageStatement('"public"."sessions"', query);
  const result = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `explain (format json) ${text}`,
    values,
  );
  const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (plan === undefined) throw new Error('no plan');
  return nodesOf(plan);
}

const now = new Date();

const scans = (nodes: readonly PlanNode[]) => nodes.filter((n) => n['Node Type'].includes('Scan'));

describe(`keyset pages over ${SESSIONS.toLocaleString('en')} sessions`, () => {
  it.each([
    ['the first page of all sessions', () => ({ now, limit: 251 }), 'sessions_pkey'],
    ['a later page of all sessions', () => ({ now, after: middle, limit: 251 }), 'sessions_pkey'],
    [
      'a later page of active sessions',
      () => ({ now, active: true, after: middle, limit: 251 }),
      'sessions_pkey',
    ],
    [
      `a later page of an identity with ${HEAVY.toLocaleString('en')} sessions`,
      () => ({ now, identityId: heavy, after: middle, limit: 251 }),
      'sessions_identity_id_id_idx',
    ],
    [
      'a page of the other active sessions of that identity',
      () => ({ now, identityId: heavy, active: true, exceptId: middle, limit: 251 }),
      'sessions_identity_id_id_idx',
    ],
  ] as const)('%s walks the index in id order: no OFFSET, no sort', async (_name, query, index) => {
    const nodes = await planOf(query());
    expect(pageStatement('"public"."sessions"', query()).text).not.toMatch(/\boffset\b/i);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(scans(nodes).map((n) => [n['Node Type'], n['Index Name']])).toEqual([
      ['Index Scan', index],
    ]);
  });

  it('a page of an identity with a few dozen sessions reads them through its index', async () => {
    const nodes = await planOf({ now, identityId: typical, active: true, limit: 251 });
    // The planner may fetch a few dozen rows by bitmap and sort them: never a scan of the table.
    expect(scans(nodes).map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(scans(nodes).some((n) => n['Index Name'] === 'sessions_identity_id_id_idx')).toBe(true);
  });

  it('pages through every active session of an identity exactly once', async () => {
    const reader = createSessionReader(db.orm.em);
    const expected = await client.query<{ id: string }>(
      `select id from sessions where identity_id = $1 and revoked_at is null and expires_at > now()
       order by id`,
      [typical],
    );
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await reader.listPage({
        identityId: typical,
        active: true,
        now: new Date(),
        limit: 7,
        ...(after === undefined ? {} : { after }),
      });
      seen.push(...page.map((s) => s.id));
      after = page.at(-1)?.id;
      if (page.length < 7) break;
    }
    expect(seen).toEqual(expected.rows.map((r) => r.id));
    expect(seen.length).toBeGreaterThan(20);
    expect(await reader.listPage({ identityId: randomUUID(), now, limit: 5 })).toEqual([]);
  });
});
