import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { errorGenericBody, issueSession, logout, whoami } from '../support/http.js';
import { createKafka } from '../support/kafka-reader.js';
import { rawRequest } from '../support/raw-request.js';
import type { RunningService } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

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
  console.log('DEBUG', response.status, response.body);
  expect(response.status, response.body).toBe(code);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = errorGenericBody.parse(JSON.parse(response.body));
  expect(body.error.code).toBe(code);
  expect(body.error.request).toBe(response.headers['x-request-id']);
  if (reason !== undefined) expect(body.error.reason).toBe(reason);
}

describe('DELETE /auth/self-service/logout/api, every row of DESIGN.md §1', () => {
  const rows: [string, Record<string, string>, string | undefined, number][] = [
    ['no body at all', {}, undefined, 400],
    ['Content-Length: 0', { ...JSON_TYPE, 'content-length': '0' }, '', 400],
    ['no Content-Type', {}, JSON.stringify({ session_token: UNKNOWN_TOKEN }), 400],
    [
      'Content-Type text/plain',
      { 'content-type': 'text/plain' },
      JSON.stringify({ session_token: UNKNOWN_TOKEN }),
      400,
    ],
    [
      'Content-Type application/x-www-form-urlencoded',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'session_token=x',
      400,
    ],
    [
      'a non-JSON type even when huge (400 before 413)',
      { 'content-type': 'text/plain' },
      'x'.repeat(5000),
      400,
    ],
    [
      'a body over the limit',
      JSON_TYPE,
      JSON.stringify({ session_token: UNKNOWN_TOKEN, pad: 'x'.repeat(2000) }),
      413,
    ],
    ['invalid JSON', JSON_TYPE, '{"session_token": ', 400],
    ['a JSON array', JSON_TYPE, '[]', 400],
    ['a JSON string', JSON_TYPE, '"ory_st_x"', 400],
    ['JSON null', JSON_TYPE, 'null', 400],
    ['a JSON number', JSON_TYPE, '42', 400],
    ['session_token a number', JSON_TYPE, '{"session_token": 42}', 400],
    ['session_token an object', JSON_TYPE, '{"session_token": {"a": 1}}', 400],
    ['session_token a boolean', JSON_TYPE, '{"session_token": true}', 400],
    ['session_token missing', JSON_TYPE, '{}', 403],
    ['session_token null', JSON_TYPE, '{"session_token": null}', 403],
    ['session_token empty', JSON_TYPE, '{"session_token": ""}', 403],
    ['session_token malformed', JSON_TYPE, '{"session_token": "ory_st_short"}', 403],
    [
      'session_token with a bad character',
      JSON_TYPE,
      JSON.stringify({ session_token: 'ory_st_' + 'a'.repeat(31) + '!' }),
      403,
    ],
    [
      'a well-formed token no session has',
      JSON_TYPE,
      JSON.stringify({ session_token: UNKNOWN_TOKEN }),
      403,
    ],
    [
      'a chunked body without Content-Length',
      { ...JSON_TYPE, 'transfer-encoding': 'chunked' },
      JSON.stringify({ session_token: UNKNOWN_TOKEN }),
      403,
    ],
    [
      'the same, with charset and upper case type',
      { 'content-type': 'Application/JSON; charset=utf-8' },
      JSON.stringify({ session_token: UNKNOWN_TOKEN }),
      403,
    ],
  ];

  const cases = rows.map(([name, headers, body, code]) => ({ name, headers, body, code }));
  it.each(cases)('$name -> $code', async ({ headers, body, code }) => {
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
    expect(response.headers['set-cookie']).toBeUndefined();
    expect((await whoami(api, session.token)).status).toBe(401);
  });

  it('an expired session is still revoked -> 204', async () => {
    const response = await fetch(
      `http://127.0.0.1:${api.adminPort}/admin/identities/${crypto.randomUUID()}/sessions`,
      {
        method: 'POST',
        headers: {
          authorization: 'Bearer test-admin-key-0123456789abcdef0123456789',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ expires_in: '1s' }),
      },
    );
    const { session_token: token, session } = (await response.json()) as {
      session_token: string;
      session: { id: string };
    };
    await waitFor(
      'the session to expire',
      async () => (await whoami(api, token)).status === 401,
      5000,
      100,
    );
    expect((await logout(api, token)).status).toBe(204);
    const [row] = await cluster.db.orm.em
      .fork()
      .execute<{ revoke_reason: string | null }[]>(
        'select revoke_reason from sessions where id = ?',
        [session.id],
      );
    expect(row?.revoke_reason).toBe('logout');
  });

  it('a session revoked before -> 204 and no new event', async () => {
    const session = await issueSession(api);
    expect((await logout(api, session.token)).status).toBe(204);
    const count = async () =>
      (await createKafka(cluster.topic).readAll()).filter((e) => e.subject === session.sessionId)
        .length;
    const before = await count();
    expect(before).toBe(2);
    expect((await logout(api, session.token)).status).toBe(204);
    expect(await count()).toBe(before);
  });

  it('echoes the caller X-Request-ID in the header and the error body', async () => {
    const response = await rawRequest(
      api.port,
      'DELETE',
      PATH,
      { ...JSON_TYPE, 'x-request-id': 'trace-abc-123' },
      '{}',
    );
    expect(response.headers['x-request-id']).toBe('trace-abc-123');
    expect(errorGenericBody.parse(JSON.parse(response.body)).error.request).toBe('trace-abc-123');
  });
});

describe('errors on every route of both ports', () => {
  it('bytes that are not HTTP -> 400 errorGeneric, connection closed', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(api.port, '127.0.0.1', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/json/i);
    expect(errorGenericBody.parse(JSON.parse(body)).error.code).toBe(400);
  });

  it.each([
    ['GET on the logout path', 'public', 'GET', PATH, 405],
    ['an unknown public path', 'public', 'GET', '/auth/nope', 404],
    ['whoami without a token', 'public', 'GET', '/auth/sessions/whoami', 401],
    ['admin without a key', 'admin-nokey', 'GET', `/admin/sessions/${crypto.randomUUID()}`, 401],
    ['admin with a bad uuid', 'admin', 'GET', '/admin/sessions/not-a-uuid', 400],
    ['admin unknown session', 'admin', 'GET', `/admin/sessions/${crypto.randomUUID()}`, 404],
    [
      'admin revoke unknown session',
      'admin',
      'DELETE',
      `/admin/sessions/${crypto.randomUUID()}`,
      404,
    ],
    [
      'admin revoke-all of an identity with none',
      'admin',
      'DELETE',
      `/admin/identities/${crypto.randomUUID()}/sessions`,
      404,
    ],
    ['admin PUT on sessions', 'admin', 'PUT', `/admin/sessions/${crypto.randomUUID()}`, 405],
    ['admin unknown path', 'admin', 'GET', '/admin/nothing', 404],
    [
      'admin issue with a bad duration',
      'admin-json',
      'POST',
      `/admin/identities/${crypto.randomUUID()}/sessions`,
      400,
    ],
  ] as const)('%s -> %i', async (_name, port, method, path, code) => {
    const headers: Record<string, string> =
      port === 'public' || port === 'admin-nokey'
        ? {}
        : { authorization: 'Bearer test-admin-key-0123456789abcdef0123456789' };
    const body = port === 'admin-json' ? JSON.stringify({ expires_in: 'forever' }) : undefined;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await rawRequest(
      port === 'public' ? api.port : api.adminPort,
      method,
      path,
      headers,
      body,
    );
    expectError(response, code);
  });
});
