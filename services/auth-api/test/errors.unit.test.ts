import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorGeneric } from './support/expect-error.js';
import { startInProcess, type InProcessAuthority } from './support/in-process.js';

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

  it('an unavailable read model is a retryable 503 on every route that reads it', async () => {
    authority.readModel.failReads(new Error('connection refused'));
    try {
      const whoami = await authority.publicApp.inject({
        method: 'GET',
        url: '/auth/sessions/whoami',
        headers: { 'x-session-token': 'ory_st_' + 'a'.repeat(32) },
      });
      expectErrorGeneric(whoami, 503);
      expect(whoami.headers['retry-after']).toBe('1');
      expect(whoami.body).not.toContain('connection refused');
    } finally {
      authority.readModel.failReads(undefined);
    }
  });
});
