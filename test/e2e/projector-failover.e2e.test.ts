import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { issueSession, logout, whoami } from '../support/http.js';
import { startService, type RunningService } from '../support/service-process.js';
import { recordFigures } from '../support/figures.js';

let cluster: Cluster;
let api: RunningService;
const extraProjectors: RunningService[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    replicas: 1,
    projectors: 2,
    extra: { CONSISTENCY_WAIT_MS: '2000' },
  });
  api = cluster.apis[0] as RunningService;
});

afterAll(async () => {
  await Promise.all(extraProjectors.map((p) => p.stop()));
  await cluster.stop();
});

const SESSIONS = 240;
const MAX_GAP_MS = 3000;

describe('two projectors, a leader and a follower', () => {
  it('a kill -9 of either stops logouts for less than 3 s, and loses nothing', async () => {
    const sessions = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(await issueSession(api));
    const [first, second] = cluster.projectors as [RunningService, RunningService];

    const succeeded: number[] = [];
    let unavailable = 0;
    let replacement: Promise<RunningService> | undefined;
    for (const [i, session] of sessions.entries()) {
      if (i === SESSIONS / 3) {
        await first.kill();
        // Its replacement starts meanwhile; logouts go on through the survivor.
        replacement = startService('projector', cluster.env, 'projector-again');
      }
      if (i === (2 * SESSIONS) / 3) {
        extraProjectors.push(await (replacement as Promise<RunningService>));
        await second.kill();
      }
      // A 503 means "not confirmed in time": the client retries, as the contract says it may.
      for (let attempt = 0; ; attempt++) {
        const status = (await logout(api, session.token)).status;
        if (status === 204) break;
        expect(status).toBe(503);
        unavailable += 1;
        expect(attempt).toBeLessThan(20);
      }
      succeeded.push(performance.now());
    }

    const gaps = succeeded.slice(1).map((at, i) => at - (succeeded[i] ?? at));
    const longest = Math.max(...gaps);
    recordFigures('projector-failover', {
      logouts: SESSIONS,
      kills: 2,
      longestStretchWithoutA204Ms: Math.round(longest),
      answers503: unavailable,
    });
    expect(longest).toBeLessThan(MAX_GAP_MS);

    for (const session of sessions) expect((await whoami(api, session.token)).status).toBe(401);
    const [row] = await cluster.db.orm.em
      .fork()
      .execute<{ revoked: string }[]>('select count(revoked_at) as revoked from sessions');
    expect(Number(row?.revoked)).toBe(SESSIONS);
  });
});
