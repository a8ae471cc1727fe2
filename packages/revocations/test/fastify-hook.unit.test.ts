import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { revocationHook, type RevocationView } from '../src/fastify-hook.js';
import { LogOutOfRangeError } from '../src/log-range.js';
import { MalformedPositionError, PositionTimeoutError } from '../src/position-waits.js';
import { parsePositionHeader } from '../src/wire.js';

const revokedId = randomUUID();
const activeId = randomUUID();
/** Applied up to offset 9 of partition 0; revokedId is revoked; '0:666' finds a bug in waitFor. */
const view: RevocationView & { failure: Error | undefined } = {
  failure: undefined,
  isRevoked: (id) => id === revokedId,
  waitFor: (header, timeoutMs) => {
    if (header === '0:666') return Promise.reject(new TypeError('a bug, not the request'));
    const positions = parsePositionHeader(header);
    if (positions === undefined) return Promise.reject(new MalformedPositionError());
    const reached = [...positions].every(([partition, offset]) => partition === 0 && offset <= 9n);
    return reached
      ? Promise.resolve()
      : Promise.reject(new PositionTimeoutError(header, timeoutMs));
  },
};

const app = Fastify();
app.addHook(
  'onRequest',
  revocationHook(view, {
    sessionIdOf: (request) => request.headers['x-session-id'] as string | undefined,
    positionOf: (request) => request.headers['session-log-position'] as string | undefined,
  }),
);
app.get('/', () => ({ ok: true }));
afterAll(() => app.close());

const get = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/', headers });

describe('the fastify hook', () => {
  it('answers 401 errorGeneric for a revoked session', async () => {
    const response = await get({ 'x-session-id': revokedId });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: {
        code: 401,
        status: 'Unauthorized',
        message: 'The request could not be authorized',
        reason: 'The session has been revoked',
        request: expect.any(String) as string,
      },
    });
  });

  it('lets an active session and a request with no session through', async () => {
    expect((await get({ 'x-session-id': activeId })).statusCode).toBe(200);
    expect((await get({})).statusCode).toBe(200);
  });

  it('waits for the log position: 400 when malformed, 503 with Retry-After when not reached', async () => {
    expect(
      (await get({ 'x-session-id': activeId, 'session-log-position': '0:9' })).statusCode,
    ).toBe(200);
    expect(
      (await get({ 'x-session-id': revokedId, 'session-log-position': '0:9' })).statusCode,
    ).toBe(401);
    const malformed = await get({ 'x-session-id': activeId, 'session-log-position': 'zero' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 400, status: 'Bad Request' } });
    const behind = await get({ 'x-session-id': activeId, 'session-log-position': '0:10' });
    expect(behind.statusCode).toBe(503);
    expect(behind.headers['retry-after']).toBe('1');
    expect(behind.json()).toMatchObject({ error: { code: 503, status: 'Service Unavailable' } });
    const bug = await get({ 'x-session-id': activeId, 'session-log-position': '0:666' });
    expect(bug.statusCode).toBe(503);
  });

  it('answers 503 with Retry-After to everything once the client has stopped following the log', async () => {
    view.failure = new LogOutOfRangeError('session-events', 0, 50n, { low: 0n, high: 3n });
    try {
      const requests: Record<string, string>[] = [{ 'x-session-id': activeId }, {}];
      for (const headers of requests) {
        const response = await get(headers);
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toBe('1');
      }
    } finally {
      view.failure = undefined;
    }
    expect((await get({ 'x-session-id': activeId })).statusCode).toBe(200);
  });
});
