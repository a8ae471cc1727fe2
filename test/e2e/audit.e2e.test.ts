import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { adminUrl, issueSession, logout } from '../support/http.js';
import { createRawProducer, type TimedRawRecord } from '../support/raw-producer.js';
import { runScript } from '../support/run-script.js';
import { createUnmarkedTopic } from '../support/stores.js';
import { readToEnd } from '../support/topic-reader.js';
import { ADMIN_KEY } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

let cluster: Cluster;
let db: pg.Client;

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
  db = new pg.Client({ connectionString: cluster.db.url });
  await db.connect();
});

afterAll(async () => {
  await db.end();
  await cluster.stop();
});

/** npm run audit -- args, against this cluster's database and topic. */
const audit = (...args: string[]) =>
  runScript('services/projector/dist/audit-cli.js', args, {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: cluster.env.databaseUrl,
    KAFKA_BROKERS: cluster.env.kafkaBrokers,
    KAFKA_TOPIC: cluster.topic,
  });

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('npm run audit against the real log and read model', () => {
  const identityId = randomUUID();
  let loggedOut = { sessionId: '', token: '', identityId: '' };
  let loggedOutAt = new Date();
  let logoutRequest = '';
  const otherIdentity = randomUUID();
  let identityRevocationRequest = '';
  let shortLived = { id: '', expiresAt: '' };
  let issuedBefore = new Date();

  beforeAll(async () => {
    const [a, b] = cluster.apis;
    if (a === undefined || b === undefined) throw new Error('two replicas expected');
    issuedBefore = new Date(Date.now() - 1000);
    const sessions = await Promise.all(
      Array.from({ length: 24 }, (_, i) => issueSession(i % 2 === 0 ? a : b, identityId)),
    );
    loggedOut = sessions[0] ?? loggedOut;
    loggedOutAt = new Date();
    const response = await logout(b, loggedOut.token);
    expect(response.status).toBe(204);
    logoutRequest = response.headers.get('x-request-id') ?? '';
    const extend = await fetch(
      adminUrl(a, `/admin/sessions/${sessions[1]?.sessionId ?? ''}/extend`),
      {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      },
    );
    expect(extend.status).toBe(200);
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const revokeOne = await fetch(adminUrl(b, `/admin/sessions/${sessions[2]?.sessionId ?? ''}`), {
      method: 'DELETE',
      headers: admin,
    });
    expect(revokeOne.status).toBe(204);
    await issueSession(a, otherIdentity);
    await issueSession(b, otherIdentity);
    const revokeAll = await fetch(adminUrl(a, `/admin/identities/${otherIdentity}/sessions`), {
      method: 'DELETE',
      headers: admin,
    });
    expect(revokeAll.status).toBe(204);
    identityRevocationRequest = revokeAll.headers.get('x-request-id') ?? '';
    const short = await fetch(adminUrl(a, `/admin/identities/${randomUUID()}/sessions`), {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ expires_in: '2s' }),
    });
    const body = (await short.json()) as { session: { id: string; expires_at: string } };
    shortLived = { id: body.session.id, expiresAt: body.session.expires_at };
  });

  it('events by actor and by identity over a log of issues, logouts, admin and identity revocations', async () => {
    const byAdmin = jsonLines((await audit('events', '--actor', 'admin-api-key', '--json')).stdout);
    const reasons = new Set(byAdmin.map((e) => e.reason));
    expect([...reasons]).toEqual(expect.arrayContaining([null, 'admin', 'identity_revoked']));
    expect(byAdmin.every((e) => (e.actor as { type: string }).type === 'admin')).toBe(true);
    const byIdentity = jsonLines(
      (await audit('events', '--identity', otherIdentity, '--json')).stdout,
    );
    expect(byIdentity.map((e) => e.type).sort()).toEqual([
      'session.issued.v2',
      'session.issued.v2',
      'session.revoked.v2',
      'session.revoked.v2',
    ]);
    const revocations = byIdentity.filter((e) => e.type === 'session.revoked.v2');
    expect(revocations.map((e) => e.requestId)).toEqual([
      identityRevocationRequest,
      identityRevocationRequest,
    ]);
    const since = jsonLines(
      (
        await audit(
          'events',
          '--identity',
          otherIdentity,
          '--since',
          new Date().toISOString(),
          '--json',
        )
      ).stdout,
    );
    expect(since).toEqual([]);
  });

  it('events, by session and by request, as JSON lines and as a table', async () => {
    const bySession = await audit('events', '--session', loggedOut.sessionId, '--json');
    expect(bySession.code, bySession.stderr).toBe(0);
    expect(jsonLines(bySession.stdout).map((e) => [e.type, e.reason])).toEqual([
      ['session.issued.v2', null],
      ['session.revoked.v2', 'logout'],
    ]);
    const byRequest = await audit('events', '--request', logoutRequest);
    expect(byRequest.stdout).toMatch(/session\.revoked\.v2\s+\S+\s+identity \S+\s+logout/);
    const none = await audit('events');
    expect(none.code).toBe(2);
  });

  it('valid-at before issue and after expiry says why not', async () => {
    const early = await audit('valid-at', loggedOut.sessionId, issuedBefore.toISOString());
    expect(early.code).toBe(1);
    expect(early.stdout).toContain('no issuance at or before that time');
    const later = new Date(Date.parse(shortLived.expiresAt) + 1000).toISOString();
    const expired = await audit('valid-at', shortLived.id, later);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toContain(`${shortLived.expiresAt}: expired`);
    const bad = await audit('valid-at', shortLived.id, 'yesterday');
    expect(bad.code).toBe(2);
  });

  it('valid-at says valid before the logout and why not after it', async () => {
    const before = await audit('valid-at', loggedOut.sessionId, loggedOutAt.toISOString());
    expect(before.code, before.stdout + before.stderr).toBe(0);
    expect(before.stdout).toContain('VALID');
    const after = await audit('valid-at', loggedOut.sessionId, new Date().toISOString());
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/NOT VALID[\s\S]*revoked by identity .*reason logout/);
  });

  it('heads match the admin API, and verify finds no difference', async () => {
    const heads = await audit('heads', '--json');
    expect(heads.code).toBe(0);
    const [a] = cluster.apis;
    if (a === undefined) throw new Error('a replica expected');
    const viaApi = (await (
      await fetch(adminUrl(a, '/admin/audit/heads'), {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
    ).json()) as { partition: number; offset: string; chain_sha256: string }[];
    expect(jsonLines(heads.stdout).map((h) => [h.partition, h.offset, h.chainSha256])).toEqual(
      viaApi.map((h) => [h.partition, h.offset, h.chain_sha256]),
    );
    const verified = await audit('verify');
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stderr).toMatch(/verified \d+ records .* no differences/);
  });

  it('verify names each shown column edited in an audit row and in a quarantined record', async () => {
    const poisoned = randomUUID();
    const producer = await createRawProducer(cluster.topic);
    try {
      const poison = { key: Buffer.from(poisoned), value: Buffer.from('not json'), headers: {} };
      await producer.send(1, [poison]);
    } finally {
      await producer.close();
    }
    await waitFor('the poison record quarantined', async () => {
      const found = await db.query('select 1 from quarantined_records where session_id = $1', [
        poisoned,
      ]);
      return found.rowCount === 1;
    });
    // One transaction writes both projections and the quarantine: all of it is in, and agrees.
    expect((await audit('verify')).code).toBe(0);
    const edits = [
      ['at', "at + interval '1 second'"],
      ['event_id', "'edited'"],
      ['type', "'edited'"],
      ['session_id', 'gen_random_uuid()'],
      ['identity_id', 'gen_random_uuid()'],
      ['actor_type', "'edited'"],
      ['actor_id', "'edited'"],
      ['reason', "'admin'"],
      ['request_id', "'edited'"],
      ['source', "'edited'"],
      ['data', `coalesce(data, '{}'::jsonb) || '{"edited": true}'`],
      ['problem', "'edited'"],
    ] as const;
    const { rows } = await db.query<{ log_partition: number; log_offset: string }>(
      `select log_partition, log_offset::text from audit_events
       where topic = $1 and reason is distinct from 'admin'
       order by log_partition, log_offset limit ${edits.length}`,
      [cluster.topic],
    );
    const key = 'topic = $1 and log_partition = $2 and log_offset = $3';
    await db.query('create table audit_backup as select * from audit_events');
    await db.query('create table quarantine_backup as select * from quarantined_records');
    try {
      for (const [index, [column, value]] of edits.entries()) {
        const row = rows[index];
        await db.query(`update audit_events set ${column} = ${value} where ${key}`, [
          cluster.topic,
          row?.log_partition,
          row?.log_offset,
        ]);
      }
      await db.query(
        `update quarantined_records set problem = 'edited',
           quarantined_at = quarantined_at + interval '1 hour' where session_id = $1`,
        [poisoned],
      );
      const verified = await audit('verify', '--json');
      expect(verified.code).toBe(1);
      const named = jsonLines(verified.stdout)
        .filter((d) => d.check === 'columns')
        .map(
          (d) =>
            `${String(d.table)} ${String(d.partition)}:${String(d.offset)} ${String(d.column)}`,
        );
      const [quarantined] = (
        await db.query<{ log_partition: number; log_offset: string }>(
          'select log_partition, log_offset::text from quarantined_records where session_id = $1',
          [poisoned],
        )
      ).rows;
      expect(named.sort()).toEqual(
        [
          ...edits.map(
            ([column], i) =>
              `audit_events ${rows[i]?.log_partition}:${rows[i]?.log_offset} ${column}`,
          ),
          `quarantined_records ${quarantined?.log_partition}:${quarantined?.log_offset} problem`,
          `quarantined_records ${quarantined?.log_partition}:${quarantined?.log_offset} quarantined_at`,
        ].sort(),
      );
      const reasonRow = rows[edits.findIndex(([column]) => column === 'reason')];
      expect((await audit('verify')).stdout).toContain(
        `columns: audit_events partition ${reasonRow?.log_partition} offset ${reasonRow?.log_offset}: reason: stored "admin", the log says`,
      );
    } finally {
      await db.query(`update audit_events a set ${edits.map(([c]) => `${c} = b.${c}`).join(', ')}
        from audit_backup b where a.topic = b.topic and a.log_partition = b.log_partition
        and a.log_offset = b.log_offset`);
      await db.query(`update quarantined_records q set problem = b.problem,
        quarantined_at = b.quarantined_at from quarantine_backup b
        where q.topic = b.topic and q.log_partition = b.log_partition and q.log_offset = b.log_offset`);
      await db.query('drop table audit_backup; drop table quarantine_backup');
    }
    expect((await audit('verify')).code).toBe(0);
  });

  it('verify of a copy of the log names a record left out and two records swapped', async () => {
    // Every record as it is, the topic's identity record included: a copy is the same bytes.
    const byPartition = new Map<number, TimedRawRecord[]>();
    await readToEnd(cluster.topic, (partition, message) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
      );
      const record = {
        key: message.key,
        value: message.value,
        headers,
        timestamp: message.timestamp,
      };
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), record]);
    });
    const [shortened, swapped] = [...byPartition]
      .filter(([, list]) => list.length >= 2)
      .map(([partition]) => partition);
    if (shortened === undefined || swapped === undefined)
      throw new Error('two partitions with two records expected');
    const copy = async (
      tamper: (partition: number, list: TimedRawRecord[]) => TimedRawRecord[],
    ) => {
      const topic = await createUnmarkedTopic(4);
      const producer = await createRawProducer(topic);
      try {
        for (const [partition, list] of byPartition)
          await producer.send(partition, tamper(partition, [...list]));
      } finally {
        await producer.close();
      }
      return topic;
    };

    const faithful = await audit('verify', '--log-topic', await copy((_p, list) => list));
    expect(faithful.code, faithful.stdout + faithful.stderr).toBe(0);

    const rewritten = await copy((partition, list) => {
      if (partition === shortened) list.splice(1, 1);
      if (partition === swapped)
        list.splice(0, 2, list[1] as TimedRawRecord, list[0] as TimedRawRecord);
      return list;
    });
    const verified = await audit('verify', '--log-topic', rewritten, '--json');
    expect(verified.code).toBe(1);
    const chain = jsonLines(verified.stdout).filter((d) => d.check === 'chain');
    expect(chain).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ partition: shortened, offset: '1', kind: 'missing' }),
        expect.objectContaining({ partition: swapped, offset: '0', kind: 'reordered' }),
      ]),
    );
  });

  it('verify reports an altered and a missing audit row, a revocation reset and an orphan', async () => {
    // Partitions with at least two rows, one for each kind of tampering of the chain.
    const { rows } = await db.query<{ log_partition: number; offsets: string[] }>(
      `select log_partition, array_agg(log_offset::text order by log_offset) as offsets
       from audit_events where topic = $1 group by log_partition having count(*) >= 2
       order by log_partition`,
      [cluster.topic],
    );
    const [altered, missing] = rows;
    if (altered === undefined || missing === undefined)
      throw new Error('two partitions with two records expected');
    const where = 'topic = $1 and log_partition = $2 and log_offset = $3';
    await db.query(
      `update audit_events set data = jsonb_set(data, '{reason}', '"admin"'),
         record_sha256 = md5('x') || md5('y') where ${where}`,
      [cluster.topic, altered.log_partition, altered.offsets[1]],
    );
    await db.query(`delete from audit_events where ${where}`, [
      cluster.topic,
      missing.log_partition,
      missing.offsets[0],
    ]);
    await db.query('update sessions set revoked_at = null, revoke_reason = null where id = $1', [
      loggedOut.sessionId,
    ]);
    const orphan = randomUUID();
    await db.query(
      `insert into sessions (id, identity_id, token_sha256, issued_at, authenticated_at, expires_at,
         log_partition, log_offset) values ($1, $2, $3, now(), now(), now() + interval '1 day', 0, 0)`,
      [orphan, identityId, 'e'.repeat(64)],
    );

    const verified = await audit('verify', '--json');
    expect(verified.code).toBe(1);
    const found = jsonLines(verified.stdout).map((d) =>
      d.check === 'chain' ? [d.partition, d.kind] : [d.sessionId, d.kind],
    );
    expect(found).toEqual(
      expect.arrayContaining([
        [altered.log_partition, 'altered'],
        [missing.log_partition, 'missing'],
        [loggedOut.sessionId, 'differs'],
        [orphan, 'orphan'],
      ]),
    );
    const table = await audit('verify');
    expect(table.stdout).toMatch(/revoked_at is none; the log says \d{4}-/);
  });
});
