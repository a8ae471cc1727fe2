import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorGeneric } from './support/expect-error.js';
import {
  ADMIN_KEY,
  adminRequest,
  appendedEnvelopes,
  issueSession,
  startInProcess,
  type InProcessAuthority,
} from './support/in-process.js';

let authority: InProcessAuthority;
beforeAll(async () => {
  authority = await startInProcess();
});
afterAll(async () => {
  await authority.close();
});

const admin = (method: 'GET' | 'POST' | 'DELETE' | 'PUT', url: string, body?: unknown) =>
  adminRequest(authority, method, url, body);

interface SessionView {
  id: string;
  active: boolean;
  expires_at: string;
  identity: { id: string };
}

async function issue(identityId = randomUUID(), body: unknown = {}) {
  const { session, token } = await issueSession<SessionView>(authority, identityId, body);
  return { session, session_token: token };
}

function revocationsOf(sessionIds: readonly string[]) {
  return appendedEnvelopes(authority.log)
    .filter((e) => e.type === 'session.revoked.v2' && sessionIds.includes(e.subject))
    .map((e) => e.data as { session_id: string; reason: string; actor: { type: string } });
}

describe('the admin API, in process', () => {
  it('issues with the asked lifespan and a Kratos token; a read never shows the token', async () => {
    const before = Date.now();
    const issued = await issue(randomUUID(), { expires_in: '2h' });
    expect(issued.session_token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
    const lifespan = Date.parse(issued.session.expires_at) - before;
    expect(lifespan).toBeGreaterThan(2 * 3_600_000 - 5_000);
    expect(lifespan).toBeLessThan(2 * 3_600_000 + 5_000);
    const read = await admin('GET', `/admin/sessions/${issued.session.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(issued.session);
    expect(read.body).not.toContain(issued.session_token);
  });

  it('issues with the default lifespan when there is no body at all, with the log position', async () => {
    const response = await authority.adminApp.inject({
      method: 'POST',
      url: `/admin/identities/${randomUUID()}/sessions`,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json<{ session: { id: string } }>().session.id;
    const partition = authority.log.partitionOf(id);
    const last = authority.log.records(partition).length - 1;
    expect(response.headers['session-log-position']).toBe(`${partition}:${last}`);
  });

  it('revokes by id and all of an identity, each with its own reason and actor', async () => {
    const identityId = randomUUID();
    const byId = await issue(identityId);
    const rest = await issue(identityId);
    expect((await admin('DELETE', `/admin/sessions/${byId.session.id}`)).statusCode).toBe(204);
    expect((await admin('DELETE', `/admin/sessions/${byId.session.id}`)).statusCode).toBe(204);
    const all = `/admin/identities/${identityId}/sessions`;
    const revokedAll = await admin('DELETE', all);
    expect(revokedAll.statusCode).toBe(204);
    expect(revokedAll.headers['session-log-position']).toMatch(/^\d+:\d+(,\d+:\d+)*$/);
    const again = await admin('DELETE', all);
    expect(again.statusCode).toBe(204);
    expect(again.headers['session-log-position']).toBeUndefined();
    const listed = (await admin('GET', all)).json<SessionView[]>();
    expect(listed.map((s) => s.id).sort()).toEqual([byId.session.id, rest.session.id].sort());
    expect(listed.every((s) => !s.active)).toBe(true);
    const revocations = revocationsOf([byId.session.id, rest.session.id]);
    expect(revocations.map((r) => [r.session_id, r.reason, r.actor.type]).sort()).toEqual(
      [
        [byId.session.id, 'admin', 'admin'],
        [rest.session.id, 'identity_revoked', 'admin'],
      ].sort(),
    );
  });

  const uuid = randomUUID();
  it.each([
    ['no key', 'GET', `/admin/sessions/${uuid}`, 401, 'none'],
    ['a wrong key of the right length', 'GET', `/admin/sessions/${uuid}`, 401, 'wrong'],
    ['a bad session uuid', 'GET', '/admin/sessions/not-a-uuid', 400, 'ok'],
    ['an unknown session', 'GET', `/admin/sessions/${uuid}`, 404, 'ok'],
    ['revoking an unknown session', 'DELETE', `/admin/sessions/${uuid}`, 404, 'ok'],
    [
      'revoking all of an identity with none',
      'DELETE',
      `/admin/identities/${uuid}/sessions`,
      404,
      'ok',
    ],
    ['a bad identity uuid', 'GET', '/admin/identities/nope/sessions', 400, 'ok'],
    ['PUT on a session', 'PUT', `/admin/sessions/${uuid}`, 405, 'ok'],
    ['an unknown path', 'GET', '/admin/nothing', 404, 'ok'],
  ] as const)('%s -> %i', async (_name, method, url, code, key) => {
    const authorization =
      key === 'ok' ? ADMIN_KEY : key === 'wrong' ? ADMIN_KEY.replace(/.$/, '_') : undefined;
    const response = await authority.adminApp.inject({
      method,
      url,
      headers: authorization === undefined ? {} : { authorization: `Bearer ${authorization}` },
    });
    expectErrorGeneric(response, code);
  });

  it.each([
    ['expires_in not a duration', { expires_in: 'forever' }],
    ['expires_in a number', { expires_in: 24 }],
    ['expires_in zero', { expires_in: '0s' }],
    ['a JSON array', []],
  ])('issue with %s -> 400', async (_name, body) => {
    const response = await admin('POST', `/admin/identities/${randomUUID()}/sessions`, body);
    expectErrorGeneric(response, 400);
  });
});
