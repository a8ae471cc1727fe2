import { randomUUID } from 'node:crypto';
import { PositionTimeoutError, type RevocationView } from '@session-authority/revocations';
import { afterAll, describe, expect, it } from 'vitest';
import { buildExampleApp } from '../src/example-app.js';

const revoked = randomUUID();
const revocations: RevocationView = {
  isRevoked: (id) => id === revoked,
  waitFor: (header, timeoutMs) =>
    header === '0:1'
      ? Promise.resolve()
      : Promise.reject(new PositionTimeoutError(header, timeoutMs)),
};
const app = buildExampleApp({ revocations, waitTimeoutMs: 10 });
afterAll(() => app.close());

const get = (headers: Record<string, string> = {}, url = '/') =>
  app.inject({ method: 'GET', url, headers });

describe('the example resource service', () => {
  it('answers 200 with the session id of an active session', async () => {
    const id = randomUUID();
    const response = await get({ 'x-session-id': id, 'session-log-position': '0:1' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ session_id: id });
  });

  it('answers 401 errorGeneric, with the request id, for a revoked, missing or malformed session id', async () => {
    const cases: Record<string, string>[] = [
      { 'x-session-id': revoked },
      {},
      { 'x-session-id': 'not-a-session' },
    ];
    for (const headers of cases) {
      const response = await get({ ...headers, 'x-request-id': 'req-1' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['x-request-id']).toBe('req-1');
      expect(response.json()).toMatchObject({
        error: { code: 401, status: 'Unauthorized', request: 'req-1' },
      });
    }
  });

  it('answers 503 when the position is not reached in time, and 404 errorGeneric elsewhere', async () => {
    const behind = await get({ 'x-session-id': randomUUID(), 'session-log-position': '0:2' });
    expect(behind.statusCode).toBe(503);
    const missing = await get({}, '/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 404, status: 'Not Found' } });
  });
});
