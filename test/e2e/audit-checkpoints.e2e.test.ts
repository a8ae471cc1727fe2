import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_ISSUED_V2, type SessionIssuedV2 } from '@session-authority/events';
import { startCluster, type Cluster } from '../support/cluster.js';
import { revokedEvent } from '../support/events.js';
import { adminUrl, issueSession, logout } from '../support/http.js';
import { createRawProducer } from '../support/raw-producer.js';
import { runScript } from '../support/run-script.js';
import { ADMIN_KEY } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

let cluster: Cluster;
let db: pg.Client;
const keys = mkdtempSync(join(tmpdir(), 'audit-keys-'));
const keyFile = join(keys, 'audit.pem');
const otherKeyFile = join(keys, 'other.pem');

/** npm run audit -- args, against this cluster, signing with `key`. */
const audit = (key: string, ...args: string[]) =>
  runScript('services/projector/dist/audit-cli.js', args, {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: cluster.env.databaseUrl,
    KAFKA_BROKERS: cluster.env.kafkaBrokers,
    KAFKA_TOPIC: cluster.topic,
    AUDIT_SIGNING_KEY_FILE: key,
  });
const since = () => audit(keyFile, 'verify', '--since-checkpoint');
const fullVerify = async () => {
  const run = await audit(keyFile, 'verify');
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.stderr).toMatch(/checkpoint recorded, signed by key [0-9a-f]{16}/);
};
const recordsRead = (stderr: string) => Number(/verified (\d+) records/.exec(stderr)?.[1]);

/** Some of everything the log carries: issues, a logout, an extension, an admin revocation. */
async function activity(): Promise<{ revoked: string; kept: string }> {
  const [a, b] = cluster.apis;
  if (a === undefined || b === undefined) throw new Error('two replicas expected');
  const identity = randomUUID();
  const sessions = await Promise.all(
    Array.from({ length: 6 }, (_, i) => issueSession(i % 2 === 0 ? a : b, identity)),
  );
  const [first, second, third] = sessions;
  if (first === undefined || second === undefined || third === undefined) throw new Error('3');
  expect((await logout(b, first.token)).status).toBe(204);
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const extended = await fetch(adminUrl(a, `/admin/sessions/${second.sessionId}/extend`), {
    method: 'PATCH',
    headers: admin,
  });
  expect(extended.status).toBe(200);
  const revoked = await fetch(adminUrl(b, `/admin/sessions/${third.sessionId}`), {
    method: 'DELETE',
    headers: admin,
  });
  expect(revoked.status).toBe(204);
  return { revoked: first.sessionId, kept: second.sessionId };
}

/** The position of a session's first audit row. */
async function firstAuditRow(sessionId: string) {
  const { rows } = await db.query<{ log_partition: number; log_offset: string }>(
    `select log_partition, log_offset::text from audit_events
     where topic = $1 and session_id = $2 order by log_offset limit 1`,
    [cluster.topic, sessionId],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('an audit row expected');
  return row;
}

/** The checkpoint recorded last, as stored. */
async function lastCheckpoint() {
  const { rows } = await db.query<{ body: string; signature: string; key_id: string }>(
    'select body, signature, key_id from audit_checkpoints where topic = $1 order by id desc limit 1',
    [cluster.topic],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('no checkpoint');
  return row;
}

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
  db = new pg.Client({ connectionString: cluster.db.url });
  await db.connect();
  for (const file of [keyFile, otherKeyFile]) {
    const made = await audit('', 'keygen', file);
    expect(made.code, made.stderr).toBe(0);
  }
});

afterAll(async () => {
  await db.end();
  await cluster.stop();
  rmSync(keys, { recursive: true, force: true });
});

describe('signed checkpoints and verify --since-checkpoint', () => {
  let before = { revoked: '', kept: '' };

  beforeAll(async () => {
    before = await activity();
    await fullVerify();
  });

  it('verifies only what came after the checkpoint, and records the next one', async () => {
    const full = await audit(keyFile, 'verify');
    await activity();
    const incremental = await since();
    expect(incremental.code, incremental.stdout + incremental.stderr).toBe(0);
    expect(incremental.stderr).toMatch(/no differences/);
    expect(incremental.stderr).toMatch(/checkpoint recorded/);
    // The 6 issues, logout, extension and revocation of one round, not the history before.
    expect(recordsRead(incremental.stderr)).toBe(9);
    expect(recordsRead(full.stderr)).toBeGreaterThan(9);
    const again = await since();
    expect(again.code).toBe(0);
    expect(recordsRead(again.stderr)).toBe(0);
  });

  it('a forged checkpoint, or one signed by another key, is not trusted', async () => {
    const signed = await lastCheckpoint();
    const body = JSON.parse(signed.body) as { partitions: { chain: string }[] };
    const forgedChain = body.partitions.map((p) => ({ ...p, chain: 'f'.repeat(64) }));
    await db.query(
      `insert into audit_checkpoints (topic, body, signature, key_id) values ($1, $2, $3, $4)`,
      [
        cluster.topic,
        JSON.stringify({ ...body, partitions: forgedChain }),
        signed.signature,
        signed.key_id,
      ],
    );
    const forged = await since();
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain(
      'checkpoint: untrusted: the checkpoint cannot be trusted: its signature does not match its content',
    );
    const other = await audit(otherKeyFile, 'verify', '--since-checkpoint');
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/untrusted: .*signed by key [0-9a-f]{16}, not by this one/);
    await fullVerify();
    expect((await since()).code).toBe(0);
  });

  it('names an audit row edited before the checkpoint, and one edited after it', async () => {
    const old = await firstAuditRow(before.kept);
    const where = 'topic = $1 and log_partition = $2 and log_offset = $3';
    const at = [cluster.topic, old.log_partition, old.log_offset];
    await db.query(`update audit_events set reason = 'edited' where ${where}`, at);
    const edited = await since();
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain(
      `checkpoint: partition ${old.log_partition} offset ${old.log_offset}: written-after: 1 rows of audit_events`,
    );
    // Put back, the row is still one written after the checkpoint: a full verify vouches again.
    await db.query(`update audit_events set reason = null where ${where}`, at);
    expect((await since()).code).toBe(1);
    await fullVerify();

    const after = await activity();
    const row = await firstAuditRow(after.revoked);
    const freshAt = [cluster.topic, row.log_partition, row.log_offset];
    const { rows: sources } = await db.query<{ source: string }>(
      `select source from audit_events where ${where}`,
      freshAt,
    );
    await db.query(`update audit_events set source = 'edited' where ${where}`, freshAt);
    const afterEdit = await since();
    expect(afterEdit.code).toBe(1);
    expect(afterEdit.stdout).toContain(
      `columns: audit_events partition ${row.log_partition} offset ${row.log_offset}: source: stored "edited"`,
    );
    await db.query(`update audit_events set source = $4 where ${where}`, [
      ...freshAt,
      sources[0]?.source,
    ]);
    expect((await since()).code).toBe(0);
  });

  it('names an audit row deleted below the checkpoint, and the same row put back', async () => {
    await fullVerify();
    const old = await firstAuditRow(before.revoked);
    const where = 'topic = $1 and log_partition = $2 and log_offset = $3';
    const at = [cluster.topic, old.log_partition, old.log_offset];
    await db.query(`create temporary table gone as select * from audit_events where ${where}`, at);
    await db.query(`delete from audit_events where ${where}`, at);
    const deleted = await since();
    expect(deleted.code).toBe(1);
    const counts = new RegExp(
      `checkpoint: partition ${old.log_partition}: row-count: audit_events holds (\\d+) rows below offset \\d+; the checkpoint counted (\\d+)`,
    ).exec(deleted.stdout);
    expect(counts, deleted.stdout).not.toBeNull();
    expect(Number(counts?.[2]) - Number(counts?.[1])).toBe(1);
    // Put back as it was, the row is one PostgreSQL wrote after the checkpoint.
    await db.query('insert into audit_events select * from gone');
    const restored = await since();
    expect(restored.code).toBe(1);
    expect(restored.stdout).toContain(
      `checkpoint: partition ${old.log_partition} offset ${old.log_offset}: written-after: 1 rows of audit_events`,
    );
    await fullVerify();
    expect((await since()).code).toBe(0);
  });

  it('names a session row edited or deleted since the checkpoint that no record touched', async () => {
    await fullVerify();
    const { rows } = await db.query<{ revoked_at: Date; revoke_reason: string }>(
      'select revoked_at, revoke_reason from sessions where id = $1',
      [before.revoked],
    );
    const revoked = rows[0];
    if (revoked === undefined) throw new Error('a session row expected');
    await db.query('update sessions set revoked_at = null, revoke_reason = null where id = $1', [
      before.revoked,
    ]);
    const reset = await since();
    expect(reset.code).toBe(1);
    expect(reset.stdout).toContain(`sessions: ${before.revoked}: differs: revoked_at is none`);
    await db.query('update sessions set revoked_at = $2, revoke_reason = $3 where id = $1', [
      before.revoked,
      revoked.revoked_at,
      revoked.revoke_reason,
    ]);
    // Written since the checkpoint, the row is folded again from its history, and agrees.
    expect((await since()).code).toBe(0);

    await db.query('create temporary table kept as select * from sessions where id = $1', [
      before.kept,
    ]);
    await db.query('delete from sessions where id = $1', [before.kept]);
    const deleted = await since();
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toMatch(/checkpoint: row-count: sessions holds \d+ rows/);
    await db.query('insert into sessions select * from kept');
    expect((await since()).code).toBe(0);
  });

  it('folds a session that a record after the checkpoint names without writing its row', async () => {
    await fullVerify();
    // A second revocation of a revoked session: audited, and the row stays as it was.
    const { rows } = await db.query<{ log_partition: number; data: SessionIssuedV2 }>(
      'select log_partition, data from audit_events where topic = $1 and session_id = $2 and type = $3',
      [cluster.topic, before.revoked, SESSION_ISSUED_V2],
    );
    const issued = rows[0];
    if (issued === undefined) throw new Error('an issuance row expected');
    const audited = async () =>
      (
        await db.query('select 1 from audit_events where topic = $1 and session_id = $2', [
          cluster.topic,
          before.revoked,
        ])
      ).rowCount;
    const earlier = await audited();
    const producer = await createRawProducer(cluster.topic);
    try {
      await producer.sendEvents(issued.log_partition, [revokedEvent(issued.data)]);
    } finally {
      await producer.close();
    }
    await waitFor('the second revocation audited', async () => (await audited()) !== earlier);
    const again = await since();
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(recordsRead(again.stderr)).toBe(1);
  });
});
