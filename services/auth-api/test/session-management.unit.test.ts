import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@session-authority/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SESSION } from '../src/routes/public-routes.js';
import { expectErrorGeneric } from './support/expect-error.js';
import {
  ADMIN_KEY,
  adminRequest,
  appendedEnvelopes,
  issueSession,
  positionHeaderOf,
  startInProcess,
  type InProcessAuthority,
  type IssuedForTest,
} from './support/in-process.js';

let authority: InProcessAuthority;
let extendAtMostHourLeft: InProcessAuthority;
beforeAll(async () => {
  authority = await startInProcess();
  extendAtMostHourLeft = await startInProcess({ earliestPossibleExtendMs: 3_600_000 });
});
afterAll(async () => {
  await authority.close();
  await extendAtMostHourLeft.close();
});

type Method = 'GET' | 'POST' | 'DELETE' | 'PATCH';

const admin = (method: Method, url: string, body?: unknown, on = authority) =>
  adminRequest(on, method, url, body);

const mine = (method: Method, url: string, token: string | undefined) =>
  authority.publicApp.inject({
    method,
    url: `/auth${url}`,
    headers: token === undefined ? {} : { 'x-session-token': token },
  });

interface SessionView {
  id: string;
  active: boolean;
  expires_at: string;
  authenticator_assurance_level: string;
  authentication_methods: { method: string; aal?: string }[];
  devices: { id: string; ip_address?: string; user_agent?: string }[];
  identity: { id: string };
}

type Issued = IssuedForTest<SessionView>;

const issue = (identityId: string, body: unknown = {}, on = authority): Promise<Issued> =>
  issueSession<SessionView>(on, identityId, body);

const issueMany = (identityId: string, count: number) =>
  Promise.all(Array.from({ length: count }, () => issue(identityId)));

/** The `rel` link of a Link header, as a path relative to the port. */
function linkOf(header: string | string[] | number | undefined, rel: string): string | undefined {
  const links = (typeof header === 'string' ? header : '').split(',');
  const match = links
    .map((l) => /^\s*<([^>]*)>;\s*rel="([^"]+)"/.exec(l))
    .find((m) => m?.[2] === rel);
  return match?.[1];
}

/** Every page, following `next` from `first` until it is absent. */
async function allPages(get: (url: string) => ReturnType<typeof mine>, url: string) {
  const ids: string[] = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next !== undefined) {
    const response = await get(next);
    expect(response.statusCode, response.body).toBe(200);
    expect(linkOf(response.headers.link, 'first')).toBeDefined();
    ids.push(...response.json<SessionView[]>().map((s) => s.id));
    next = linkOf(response.headers.link, 'next');
    pages += 1;
  }
  return { ids, pages };
}

const eventsOf = (sessionIds: readonly string[]): EventEnvelope[] =>
  appendedEnvelopes(authority.log).filter((e) => sessionIds.includes(e.subject));

const whoamiStatus = async (token: string) =>
  (await mine('GET', '/sessions/whoami', token)).statusCode;

describe('my sessions (Kratos listMySessions, disableMyOtherSessions, disableMySession)', () => {
  it("lists the caller's other active sessions, page by page, each once", async () => {
    const identityId = randomUUID();
    const [caller, ...others] = await issueMany(identityId, 6);
    if (caller === undefined) throw new Error('issued');
    const revoked = await issue(identityId);
    expect((await admin('DELETE', `/admin/sessions/${revoked.id}`)).statusCode).toBe(204);
    await issue(randomUUID());

    const { ids, pages } = await allPages(
      (url) => mine('GET', url.replace(/^\/auth/, ''), caller.token),
      '/sessions?page_size=2',
    );
    expect(ids.sort()).toEqual(others.map((s) => s.id).sort());
    expect(pages).toBe(3);
  });

  it('revokes the other sessions: {count}, their whoami 401, the caller still 200', async () => {
    const identityId = randomUUID();
    const [caller, ...others] = await issueMany(identityId, 4);
    if (caller === undefined) throw new Error('issued');
    const response = await mine('DELETE', '/sessions', caller.token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ count: 3 });
    expect(response.headers['session-log-position']).toMatch(/^\d+:\d+(,\d+:\d+)*$/);
    for (const other of others) expect(await whoamiStatus(other.token)).toBe(401);
    expect(await whoamiStatus(caller.token)).toBe(200);

    const revocations = eventsOf(others.map((o) => o.id)).filter(
      (e) => e.type === 'session.revoked.v2',
    );
    const selfService = {
      reason: 'self_service_other',
      actor: { type: 'identity', id: identityId },
    };
    expect(revocations).toHaveLength(others.length);
    for (const { data } of revocations) expect(data).toMatchObject(selfService);
    const again = await mine('DELETE', '/sessions', caller.token);
    expect(again.json()).toEqual({ count: 0 });
    expect(again.headers['session-log-position']).toBeUndefined();
  });

  it("revokes one other session; another identity's session is left alone with a 204", async () => {
    const identityId = randomUUID();
    const [caller, other] = await issueMany(identityId, 2);
    const stranger = await issue(randomUUID());
    if (caller === undefined || other === undefined) throw new Error('issued');

    const revoked = await mine('DELETE', `/sessions/${other.id}`, caller.token);
    expect(revoked.statusCode).toBe(204);
    expect(revoked.headers['session-log-position']).toBe(
      positionHeaderOf(authority.log, other.id, 'session.revoked.v2'),
    );
    expect(await whoamiStatus(other.token)).toBe(401);
    const [event] = eventsOf([other.id]).filter((e) => e.type === 'session.revoked.v2');
    expect(event?.data).toMatchObject({
      reason: 'self_service_one',
      actor: { type: 'identity', id: identityId },
    });

    const again = await mine('DELETE', `/sessions/${other.id}`, caller.token);
    expect(again.statusCode).toBe(204);
    expect(again.headers['session-log-position']).toBeUndefined();

    const notMine = await mine('DELETE', `/sessions/${stranger.id}`, caller.token);
    expect(notMine.statusCode).toBe(204);
    expect(notMine.headers['session-log-position']).toBeUndefined();
    expect(await whoamiStatus(stranger.token)).toBe(200);
    expect(eventsOf([stranger.id]).map((e) => e.type)).toEqual(['session.issued.v2']);
  });

  it('refuses to revoke the current session (that is logout) with 400', async () => {
    const caller = await issue(randomUUID());
    expectErrorGeneric(
      await mine('DELETE', `/sessions/${caller.id}`, caller.token),
      400,
      CURRENT_SESSION,
    );
    expect(await whoamiStatus(caller.token)).toBe(200);
  });
});

describe('admin session listing and extension', () => {
  it('lists every session in keyset pages, with the active filter', async () => {
    const identityId = randomUUID();
    const sessions = await issueMany(identityId, 5);
    const [revoked] = sessions;
    if (revoked === undefined) throw new Error('issued');
    await admin('DELETE', `/admin/sessions/${revoked.id}`);
    const get = (url: string) => admin('GET', url);

    const all = await allPages(get, `/admin/identities/${identityId}/sessions?page_size=2`);
    expect(all.ids.sort()).toEqual(sessions.map((s) => s.id).sort());
    const active = await allPages(get, `/admin/identities/${identityId}/sessions?active=true`);
    expect(active.ids.sort()).toEqual(
      sessions
        .slice(1)
        .map((s) => s.id)
        .sort(),
    );
    const inactive = await allPages(get, `/admin/identities/${identityId}/sessions?active=f`);
    expect(inactive.ids).toEqual([revoked.id]);

    const everything = await allPages(get, '/admin/sessions?page_size=3');
    expect(everything.ids).toEqual([...everything.ids].sort());
    expect(new Set(everything.ids).size).toBe(everything.ids.length);
    expect(everything.ids).toEqual(expect.arrayContaining(sessions.map((s) => s.id)));
  });

  it('takes a page size above 1000 as 1000, as Kratos does', async () => {
    const response = await admin('GET', '/admin/sessions?page_size=5000');
    expect(response.statusCode).toBe(200);
    expect(linkOf(response.headers.link, 'first')).toContain('page_size=1000');
  });

  it('extends to now + the default lifespan, visible at once, with a session.extended.v1', async () => {
    const issued = await issue(randomUUID(), { expires_in: '1h' });
    const before = Date.now();
    const response = await admin('PATCH', `/admin/sessions/${issued.id}/extend`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['session-log-position']).toBe(
      positionHeaderOf(authority.log, issued.id, 'session.extended.v1'),
    );
    const extended = response.json<SessionView>();
    expect(Date.parse(extended.expires_at)).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);
    const read = await admin('GET', `/admin/sessions/${issued.id}`);
    expect(read.json<SessionView>().expires_at).toBe(extended.expires_at);
    const [event] = eventsOf([issued.id]).filter((e) => e.type === 'session.extended.v1');
    expect(event?.data).toMatchObject({
      previous_expires_at: issued.session.expires_at,
      expires_at: extended.expires_at,
      actor: { type: 'admin' },
    });
  });

  it('extends when the body is empty whatever its declared type, as axios sends a PATCH', async () => {
    const issued = await issue(randomUUID());
    for (const type of ['application/x-www-form-urlencoded', 'application/json']) {
      const response = await authority.adminApp.inject({
        method: 'PATCH',
        url: `/admin/sessions/${issued.id}/extend`,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          'content-type': type,
          'content-length': '0',
        },
      });
      expect(response.statusCode, `${type}: ${response.body}`).toBe(200);
    }
    const withForm = await authority.adminApp.inject({
      method: 'PATCH',
      url: `/admin/sessions/${issued.id}/extend`,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expectErrorGeneric(withForm, 400);
  });

  it('honours earliest_possible_extend, and leaves a revoked session as it is', async () => {
    const on = extendAtMostHourLeft;
    const early = await issue(randomUUID(), { expires_in: '2h' }, on);
    const unchanged = await admin('PATCH', `/admin/sessions/${early.id}/extend`, undefined, on);
    expect(unchanged.statusCode).toBe(200);
    expect(unchanged.json<SessionView>().expires_at).toBe(early.session.expires_at);
    expect(unchanged.headers['session-log-position']).toBeUndefined();
    const due = await issue(randomUUID(), { expires_in: '30m' }, on);
    const moved = await admin('PATCH', `/admin/sessions/${due.id}/extend`, undefined, on);
    expect(Date.parse(moved.json<SessionView>().expires_at)).toBeGreaterThan(
      Date.parse(due.session.expires_at),
    );

    const revoked = await issue(randomUUID());
    await admin('DELETE', `/admin/sessions/${revoked.id}`);
    const answer = await admin('PATCH', `/admin/sessions/${revoked.id}/extend`);
    expect(answer.statusCode).toBe(200);
    expect(answer.json<SessionView>()).toMatchObject({
      active: false,
      expires_at: revoked.session.expires_at,
    });
  });

  it('issues with the assurance level, methods and devices the login service names', async () => {
    const issued = await issue(randomUUID(), {
      authenticator_assurance_level: 'aal2',
      authentication_methods: [
        { method: 'password', aal: 'aal1' },
        { method: 'totp', aal: 'aal2' },
      ],
      devices: [{ ip_address: '2001:db8::7', user_agent: 'Mozilla/5.0 (X11; Linux x86_64)' }],
    });
    const read = (await admin('GET', `/admin/sessions/${issued.id}`)).json<SessionView>();
    expect(read).toMatchObject({
      authenticator_assurance_level: 'aal2',
      authentication_methods: [{ method: 'password' }, { method: 'totp' }],
      devices: [{ ip_address: '2001:db8::7', user_agent: 'Mozilla/5.0 (X11; Linux x86_64)' }],
    });
    expect(read.devices[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    const plain = await issue(randomUUID());
    expect(plain.session).toMatchObject({
      authenticator_assurance_level: 'aal1',
      authentication_methods: [],
      devices: [],
    });
  });
});

describe('contract rows of the session management routes', () => {
  const uuid = randomUUID();
  let token = '';
  beforeAll(async () => {
    token = (await issue(randomUUID())).token;
  });

  it.each([
    ['list mine without a token', 'GET', '/sessions', 'none', 401],
    ['list mine with an unknown token', 'GET', '/sessions', 'unknown', 401],
    [
      'list mine with a page_size that is not a number',
      'GET',
      '/sessions?page_size=ten',
      'ok',
      400,
    ],
    ['list mine with page_size 0', 'GET', '/sessions?page_size=0', 'ok', 400],
    ['list mine with a forged page_token', 'GET', '/sessions?page_token=bm9wZQ', 'ok', 400],
    ['revoke mine without a token', 'DELETE', '/sessions', 'none', 401],
    ['revoke one without a token, even with a bad id', 'DELETE', '/sessions/nope', 'none', 401],
    ['revoke one with a bad id', 'DELETE', '/sessions/nope', 'ok', 400],
    ['PUT on my sessions', 'PUT', '/sessions', 'ok', 405],
  ] as const)('public: %s -> %i', async (_name, method, url, who, code) => {
    const headers =
      who === 'ok'
        ? { 'x-session-token': token }
        : who === 'unknown'
          ? { 'x-session-token': `ory_st_${'Q'.repeat(32)}` }
          : {};
    const response = await authority.publicApp.inject({ method, url: `/auth${url}`, headers });
    expectErrorGeneric(response, code);
  });

  it.each([
    ['list all without the key', 'GET', '/admin/sessions', undefined, 401],
    ['list all with active=maybe', 'GET', '/admin/sessions?active=maybe', undefined, 400],
    ['list all with page_size -1', 'GET', '/admin/sessions?page_size=-1', undefined, 400],
    ['list an identity with a bad id', 'GET', '/admin/identities/nope/sessions', undefined, 400],
    ['extend an unknown session', 'PATCH', `/admin/sessions/${uuid}/extend`, undefined, 404],
    ['extend with a bad id', 'PATCH', '/admin/sessions/nope/extend', undefined, 400],
    [
      'issue with aal9',
      'POST',
      `/admin/identities/${uuid}/sessions`,
      { authenticator_assurance_level: 'aal9' },
      400,
    ],
    [
      'issue with a device IP that is not one',
      'POST',
      `/admin/identities/${uuid}/sessions`,
      { devices: [{ ip_address: '300.1.1.1' }] },
      400,
    ],
    [
      'issue with 17 methods',
      'POST',
      `/admin/identities/${uuid}/sessions`,
      { authentication_methods: Array.from({ length: 17 }, () => ({ method: 'password' })) },
      400,
    ],
  ] as const)('admin: %s -> %i', async (name, method, url, body, code) => {
    const response = name.includes('without the key')
      ? await authority.adminApp.inject({ method, url })
      : await admin(method, url, body);
    expectErrorGeneric(response, code);
  });
});
