import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorGeneric } from './support/expect-error.js';
import { ADMIN_KEY, startInProcess, type InProcessAuthority } from './support/in-process.js';

let authority: InProcessAuthority;
beforeAll(async () => {
  authority = await startInProcess();
});
afterAll(async () => {
  await authority.close();
});

describe('one error path: errorGeneric on every route of the public port', () => {
  it.each([
    ['GET on the logout path', 'GET', '/auth/self-service/logout/api', 405],
    ['an unknown path', 'GET', '/auth/nope', 404],
    ['outside the base path', 'GET', '/sessions/whoami', 404],
    ['whoami without a token', 'GET', '/auth/sessions/whoami', 401],
  ] as const)('%s -> %i', async (_name, method, url, code) => {
    expectErrorGeneric(await authority.publicApp.inject({ method, url }), code);
  });

  it('405 names the allowed methods', async () => {
    const response = await authority.publicApp.inject({
      method: 'POST',
      url: '/auth/sessions/whoami',
    });
    expectErrorGeneric(response, 405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });
});

describe('what the router and the parser reject is errorGeneric too; the admin key comes first', () => {
  const long = 'a'.repeat(300);
  it.each([
    ['public', 'a bad percent-encoding', '/%ZZ', undefined, 400],
    ['public', 'a bad encoding under the base path', '/auth/sessions/%E0%A4%A', undefined, 400],
    ['admin', 'a bad encoding, no key', '/admin/sessions/%ZZ', undefined, 401],
    ['admin', 'a bad encoding, with the key', '/admin/sessions/%ZZ', ADMIN_KEY, 400],
    ['admin', 'an over-long parameter, no key', `/admin/sessions/${long}`, undefined, 401],
    ['admin', 'an over-long parameter, with the key', `/admin/sessions/${long}`, ADMIN_KEY, 414],
    ['admin', 'an unknown path, no key', '/nothing/here', undefined, 401],
  ] as const)('%s port, %s -> %i', async (port, _name, url, key, code) => {
    const app = port === 'public' ? authority.publicApp : authority.adminApp;
    const headers = key === undefined ? {} : { authorization: `Bearer ${key}` };
    expectErrorGeneric(await app.inject({ method: 'GET', url, headers }), code);
  });
});

describe('request ids are reasonable and never secret', () => {
  it.each([
    ['a session token', `ory_st_${'a'.repeat(32)}`],
    ['a token inside a longer id', `trace-ory_st_${'B'.repeat(32)}`],
    ['the admin key', ADMIN_KEY],
    ['an over-long id', 'x'.repeat(65)],
    ['unsafe characters', 'a b<script>'],
  ])('%s is replaced by a generated id', async (_name, given) => {
    const response = await authority.publicApp.inject({
      method: 'GET',
      url: '/auth/nope',
      headers: { 'x-request-id': given },
    });
    expect(response.headers['x-request-id']).not.toBe(given);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a reasonable id is kept and echoed', async () => {
    const response = await authority.publicApp.inject({
      method: 'GET',
      url: '/auth/nope',
      headers: { 'x-request-id': 'trace-abc_123:4.5' },
    });
    expect(response.headers['x-request-id']).toBe('trace-abc_123:4.5');
  });
});
