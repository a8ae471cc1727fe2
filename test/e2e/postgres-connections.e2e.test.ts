import { WATERMARK_APPLICATION_NAME } from '@session-authority/read-model';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { issueSession, logout, whoami } from '../support/http.js';
import type { RunningService } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';
import { recordFigures } from '../support/figures.js';

let cluster: Cluster;
let admin: pg.Client | undefined;

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2, extra: { CONSISTENCY_WAIT_MS: '2000' } });
  admin = new pg.Client({ connectionString: cluster.db.url });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await cluster.stop();
});

function db(): pg.Client {
  if (admin === undefined) throw new Error('the test database client did not connect');
  return admin;
}

const database = () => new URL(cluster.db.url).pathname.slice(1);

async function listenerPids(): Promise<number[]> {
  const { rows } = await db().query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and application_name = $2',
    [database(), WATERMARK_APPLICATION_NAME],
  );
  return rows.map((row) => row.pid).sort();
}

/** Ends every backend of the project's database but this test's own: a database restart, as the services see it. */
async function terminateAll(): Promise<number> {
  const { rows } = await db().query<{ ended: boolean }>(
    `select pg_terminate_backend(pid) as ended from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid()`,
    [database()],
  );
  return rows.filter((row) => row.ended).length;
}

const ready = async (api: RunningService) =>
  (await fetch(`http://127.0.0.1:${api.port}/health/ready`)).status === 200;

describe('PostgreSQL connections that drop', () => {
  it('the projection watermark reconnects by itself, with no request waiting', async () => {
    const [a, b] = cluster.apis as [RunningService, RunningService];
    // Both replicas listen, and so does the projector (a watermark waits on the leader's commits).
    const before = await listenerPids();
    expect(before.length).toBeGreaterThanOrEqual(2);
    await db().query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [before]);
    await waitFor(
      'every listener to listen again on a new connection',
      async () => {
        const now = await listenerPids();
        return now.length === before.length && now.every((pid) => !before.includes(pid));
      },
      15_000,
    );
    await waitFor('both replicas ready', async () => (await ready(a)) && (await ready(b)), 15_000);
    const session = await issueSession(a);
    expect((await logout(b, session.token)).status).toBe(204);
    expect((await whoami(a, session.token)).status).toBe(401);
  });

  it('every backend terminated during a stream of logouts: only 204 or 503, every 204 holds everywhere, no restart', async () => {
    const [a, b] = cluster.apis as [RunningService, RunningService];
    const sessions = [];
    for (let i = 0; i < 120; i++) sessions.push(await issueSession(i % 2 === 0 ? a : b));
    const statuses = new Map<number, number>();
    const confirmed: string[] = [];
    let terminated = 0;
    for (const [i, session] of sessions.entries()) {
      if (i === 40 || i === 80) terminated += await terminateAll();
      const api = i % 2 === 0 ? b : a;
      for (let attempt = 0; attempt < 30; attempt++) {
        const status = (await logout(api, session.token)).status;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 204) {
          confirmed.push(session.token);
          break;
        }
        expect(status).toBe(503);
      }
    }
    recordFigures('postgres-connections', {
      logouts: sessions.length,
      terminatedBackends: terminated,
      answers: Object.fromEntries(statuses),
    });
    expect(terminated).toBeGreaterThan(0);
    expect([...statuses.keys()].every((status) => status === 204 || status === 503)).toBe(true);
    expect(confirmed).toHaveLength(sessions.length);
    for (const token of confirmed) {
      expect((await whoami(a, token)).status).toBe(401);
      expect((await whoami(b, token)).status).toBe(401);
    }
    expect([a, b, cluster.projector].every((s) => s.child.exitCode === null)).toBe(true);
    expect(await ready(a)).toBe(true);
  });
});
