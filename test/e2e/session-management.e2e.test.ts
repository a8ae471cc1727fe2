import { randomUUID } from 'node:crypto';
import { Configuration, FrontendApi, IdentityApi } from '@ory/kratos-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { issueSession, statusOfFailure, whoami } from '../support/http.js';
import { ADMIN_KEY, type RunningService } from '../support/service-process.js';

let cluster: Cluster;
let a: RunningService;
let b: RunningService;

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
  const [first, second] = cluster.apis;
  if (first === undefined || second === undefined) throw new Error('two replicas expected');
  [a, b] = [first, second];
});

afterAll(async () => {
  await cluster.stop();
});

// Ory's own SDK, unchanged: the public API under /auth; the admin API takes the key where the
// SDK puts Ory's access token (its `oryAccessToken` scheme is an Authorization header).
const frontend = (api: RunningService) =>
  new FrontendApi(new Configuration({ basePath: `http://127.0.0.1:${api.port}/auth` }));
const identityApi = (api: RunningService) =>
  new IdentityApi(
    new Configuration({
      basePath: `http://127.0.0.1:${api.adminPort}`,
      apiKey: `Bearer ${ADMIN_KEY}`,
    }),
  );

/** The page_token of the Link header's `next`, or undefined on the last page. */
function nextPageToken(headers: Record<string, unknown>): string | undefined {
  const link = typeof headers.link === 'string' ? headers.link : '';
  const next = link.split(',').find((part) => part.includes('rel="next"'));
  const url = next === undefined ? undefined : /<([^>]*)>/.exec(next)?.[1];
  return url === undefined
    ? undefined
    : (new URL(url, 'http://x').searchParams.get('page_token') ?? undefined);
}

const issueMany = (api: RunningService, identityId: string, count: number) =>
  Promise.all(Array.from({ length: count }, () => issueSession(api, identityId)));

describe("Ory's SDK against two replicas: session management", () => {
  it('listMySessions pages, disableMyOtherSessions counts, disableMySession revokes one', async () => {
    const identityId = randomUUID();
    const [caller, ...others] = await issueMany(a, identityId, 6);
    if (caller === undefined) throw new Error('issued');

    const listed: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await frontend(pages % 2 === 0 ? a : b).listMySessions({
        xSessionToken: caller.token,
        pageSize: 2,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      listed.push(...page.data.map((s) => s.id));
      pageToken = nextPageToken(page.headers);
      pages += 1;
    } while (pageToken !== undefined);
    expect(pages).toBe(3);
    expect(listed.sort()).toEqual(others.map((s) => s.sessionId).sort());

    const [one, ...rest] = others;
    if (one === undefined) throw new Error('issued');
    const single = await frontend(b).disableMySession({
      id: one.sessionId,
      xSessionToken: caller.token,
    });
    expect(single.status).toBe(204);
    expect((await whoami(a, one.token)).status).toBe(401);
    expect(
      await statusOfFailure(
        frontend(a).disableMySession({ id: caller.sessionId, xSessionToken: caller.token }),
      ),
    ).toBe(400);

    const revoked = await frontend(a).disableMyOtherSessions({ xSessionToken: caller.token });
    expect(revoked.status).toBe(200);
    expect(revoked.data.count).toBe(rest.length);
    for (const other of others) expect((await whoami(b, other.token)).status).toBe(401);
    expect((await whoami(b, caller.token)).status).toBe(200);
    const current = await frontend(b).toSession({ xSessionToken: caller.token });
    expect(current.data.id).toBe(caller.sessionId);
  });

  it('listSessions follows Link to the end while sessions are issued: none missed, none twice', async () => {
    const before = await issueMany(a, randomUUID(), 30);
    const issuing = { on: true };
    const concurrent: string[] = [];
    const issuer = (async () => {
      while (issuing.on) concurrent.push((await issueSession(b)).sessionId);
    })();

    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    try {
      do {
        const page = await identityApi(pages % 2 === 0 ? b : a).listSessions({
          pageSize: 7,
          ...(pageToken === undefined ? {} : { pageToken }),
        });
        seen.push(...page.data.map((s) => s.id));
        pageToken = nextPageToken(page.headers);
        pages += 1;
      } while (pageToken !== undefined);
    } finally {
      issuing.on = false;
      await issuer;
    }
    expect(concurrent.length).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(before.map((s) => s.sessionId)));
    expect(pages).toBeGreaterThan(30 / 7);
  });

  it('extendSession on one replica: whoami on the other shows the new expires_at', async () => {
    const session = await issueSession(a);
    const initial = await frontend(b).toSession({ xSessionToken: session.token });
    const extended = await identityApi(a).extendSession({ id: session.sessionId });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.data.expires_at ?? '')).toBeGreaterThan(
      Date.parse(initial.data.expires_at ?? ''),
    );
    const after = await frontend(b).toSession({ xSessionToken: session.token });
    expect(after.data.expires_at).toBe(extended.data.expires_at);
    expect(await statusOfFailure(identityApi(b).extendSession({ id: randomUUID() }))).toBe(404);
  });

  it('listIdentitySessions pages with the active filter', async () => {
    const identityId = randomUUID();
    const sessions = await issueMany(a, identityId, 3);
    const [first] = sessions;
    if (first === undefined) throw new Error('issued');
    await frontend(b).performNativeLogout({
      performNativeLogoutBody: { session_token: first.token },
    });
    const active = await identityApi(b).listIdentitySessions({ id: identityId, active: true });
    expect(active.data.map((s) => s.id).sort()).toEqual(
      sessions
        .slice(1)
        .map((s) => s.sessionId)
        .sort(),
    );
    const inactive = await identityApi(a).listIdentitySessions({ id: identityId, active: false });
    expect(inactive.data.map((s) => [s.id, s.active])).toEqual([[first.sessionId, false]]);
  });
});
