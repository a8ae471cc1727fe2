import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { errorGenericBody, issueSession, logout, whoami } from '../support/http.js';
import { readTopic } from '../support/topic-reader.js';
import { rawExchange } from '../support/raw-exchange.js';
import { rawRequest } from '../support/raw-request.js';
import type { RunningService } from '../support/service-process.js';

const PATH = '/auth/self-service/logout/api';
const REJECTED =
  'The provided Session Token could not be found, is invalid, or otherwise malformed.';
const UNKNOWN_TOKEN = 'ory_st_' + 'Z'.repeat(32);
const JSON_TYPE = { 'content-type': 'application/json' };

let cluster: Cluster;
let api: RunningService;

beforeAll(async () => {
  cluster = await startCluster({
    replicas: 1,
    extra: { BODY_LIMIT_BYTES: '1024', LOGOUT_FORBIDDEN_LIMIT: '1000' },
  });
  api = cluster.apis[0] as RunningService;
});

afterAll(async () => {
  await cluster.stop();
});

function expectError(
  response: {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  },
  code: number,
  reason?: string,
) {
  expect(response.status, response.body).toBe(code);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = errorGenericBody.parse(JSON.parse(response.body));
  expect(body.error.code).toBe(code);
  expect(body.error.request).toBe(response.headers['x-request-id']);
  if (reason !== undefined) expect(body.error.reason).toBe(reason);
}

// Every row of the logout contract (docs/api.md) runs in process (services/auth-api/test/logout-contract.unit.test.ts);
// here, what needs a real socket, a real broker and a real PostgreSQL.
describe('DELETE /auth/self-service/logout/api over a socket, against Kafka and PostgreSQL', () => {
  it.each([
    [
      'a chunked body without Content-Length',
      { ...JSON_TYPE, 'transfer-encoding': 'chunked' },
      403,
    ],
    ['Content-Length: 0', { ...JSON_TYPE, 'content-length': '0' }, 400],
  ] as const)('%s -> %i', async (_name, headers, code) => {
    const body = code === 400 ? '' : JSON.stringify({ session_token: UNKNOWN_TOKEN });
    const response = await rawRequest(api.port, 'DELETE', PATH, headers, body);
    expectError(response, code, code === 403 ? REJECTED : undefined);
  });

  it('an active session -> 204 with no body, unknown fields ignored', async () => {
    const session = await issueSession(api);
    const response = await rawRequest(
      api.port,
      'DELETE',
      PATH,
      JSON_TYPE,
      JSON.stringify({ session_token: session.token, extra: [1] }),
    );
    expect(response.status).toBe(204);
    expect(response.body).toBe('');
    expect(response.headers['session-log-position']).toMatch(/^\d+:\d+$/);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect((await whoami(api, session.token)).status).toBe(401);
  });

  it('a session revoked before -> 204 and no new event', async () => {
    const session = await issueSession(api);
    expect((await logout(api, session.token)).status).toBe(204);
    const count = async () =>
      (await readTopic(cluster.topic)).filter((e) => e.subject === session.sessionId).length;
    const before = await count();
    expect(before).toBe(2);
    expect((await logout(api, session.token)).status).toBe(204);
    expect(await count()).toBe(before);
  });
});

describe('errors on every route of both ports', () => {
  it('bytes that are not HTTP -> 400 errorGeneric, connection closed', async () => {
    const answer = await rawExchange(api.port, Buffer.from('NOT HTTP AT ALL\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/json/i);
    expect(errorGenericBody.parse(JSON.parse(answer.body)).error.code).toBe(400);
  });

  it('a request without Host -> 400 errorGeneric', async () => {
    const request = 'GET /auth/sessions/whoami HTTP/1.1\r\nConnection: close\r\n\r\n';
    const answer = await rawExchange(api.port, Buffer.from(request));
    expect(answer.status).toBe(400);
    expect(errorGenericBody.parse(JSON.parse(answer.body)).error.reason).toBe(
      'The request has no Host header.',
    );
  });
});
