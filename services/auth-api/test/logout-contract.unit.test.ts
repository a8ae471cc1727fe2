import { randomBytes, randomUUID } from 'node:crypto';
import { SESSION_ISSUED_V1 } from '@session-authority/events';
import { generateToken, tokenDigest } from '@session-authority/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSession, startInProcess, type InProcessAuthority } from './support/in-process.js';
import { expectErrorGeneric } from './support/expect-error.js';

const PATH = '/auth/self-service/logout/api';
const REJECTED =
  'The provided Session Token could not be found, is invalid, or otherwise malformed.';
const UNKNOWN_TOKEN = 'ory_st_' + 'Z'.repeat(32);
const JSON_TYPE = { 'content-type': 'application/json' };
const unknownBody = JSON.stringify({ session_token: UNKNOWN_TOKEN });

let authority: InProcessAuthority;

beforeAll(async () => {
  authority = await startInProcess({ bodyLimit: 1024 });
});
afterAll(async () => {
  await authority.close();
});

const issue = (expiresIn?: string) =>
  issueSession(authority, randomUUID(), expiresIn === undefined ? {} : { expires_in: expiresIn });

const logout = (token: unknown) =>
  authority.publicApp.inject({
    method: 'DELETE',
    url: PATH,
    headers: JSON_TYPE,
    payload: JSON.stringify({ session_token: token }),
  });
const whoami = (token: string) =>
  authority.publicApp.inject({
    method: 'GET',
    url: '/auth/sessions/whoami',
    headers: { 'x-session-token': token },
  });

describe('DELETE /auth/self-service/logout/api, every row of its contract (docs/api.md), in process', () => {
  const rows: [string, Record<string, string>, string | undefined, number, string?][] = [
    ['no body at all', {}, undefined, 400, 'The request has no body.'],
    ['Content-Length: 0', { ...JSON_TYPE, 'content-length': '0' }, '', 400],
    ['no Content-Type', {}, unknownBody, 400],
    ['Content-Type text/plain', { 'content-type': 'text/plain' }, unknownBody, 400],
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
      'The request body must be sent as application/json.',
    ],
    [
      'a body over the limit',
      JSON_TYPE,
      JSON.stringify({ session_token: UNKNOWN_TOKEN, pad: 'x'.repeat(2000) }),
      413,
    ],
    ['invalid JSON', JSON_TYPE, '{"session_token": ', 400, 'The request body is not valid JSON.'],
    ['a JSON array', JSON_TYPE, '[]', 400],
    ['a JSON string', JSON_TYPE, '"ory_st_x"', 400],
    ['JSON null', JSON_TYPE, 'null', 400],
    ['a JSON number', JSON_TYPE, '42', 400],
    [
      'session_token a number',
      JSON_TYPE,
      '{"session_token": 42}',
      400,
      'The request body must be a JSON object whose session_token is a string.',
    ],
    ['session_token an object', JSON_TYPE, '{"session_token": {"a": 1}}', 400],
    ['session_token a boolean', JSON_TYPE, '{"session_token": true}', 400],
    ['session_token missing', JSON_TYPE, '{}', 403, REJECTED],
    ['session_token null', JSON_TYPE, '{"session_token": null}', 403, REJECTED],
    ['session_token empty', JSON_TYPE, '{"session_token": ""}', 403, REJECTED],
    ['session_token malformed', JSON_TYPE, '{"session_token": "ory_st_short"}', 403, REJECTED],
    [
      'session_token with a bad character',
      JSON_TYPE,
      JSON.stringify({ session_token: 'ory_st_' + 'a'.repeat(31) + '!' }),
      403,
      REJECTED,
    ],
    ['a well-formed token no session has', JSON_TYPE, unknownBody, 403, REJECTED],
    [
      'the same, with charset and upper case type',
      { 'content-type': 'Application/JSON; charset=utf-8' },
      unknownBody,
      403,
      REJECTED,
    ],
  ];
  const cases = rows.map(([name, headers, payload, code, reason]) => ({
    name,
    headers,
    payload,
    code,
    reason,
  }));

  it.each(cases)('$name -> $code', async ({ headers, payload, code, reason }) => {
    const response = await authority.publicApp.inject({
      method: 'DELETE',
      url: PATH,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    expectErrorGeneric(response, code, reason);
  });

  it('whoami of an active session -> 200 with X-Kratos-Authenticated-Identity-Id', async () => {
    const session = await issue();
    const response = await whoami(session.token);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ identity: { id: string } }>();
    expect(response.headers['x-kratos-authenticated-identity-id']).toBe(body.identity.id);
    expect(response.body).not.toContain(session.token);
  });

  it('an active session -> 204 with no body, unknown fields ignored, one event', async () => {
    const session = await issue();
    const before = authority.log.records(authority.log.partitionOf(session.id)).length;
    const response = await authority.publicApp.inject({
      method: 'DELETE',
      url: PATH,
      headers: JSON_TYPE,
      payload: JSON.stringify({ session_token: session.token, extra: [1] }),
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(authority.log.records(authority.log.partitionOf(session.id))).toHaveLength(before + 1);
    // The consistency token: where the revocation is in the log.
    const partition = authority.log.partitionOf(session.id);
    expect(response.headers['session-log-position']).toBe(`${partition}:${before}`);
    expect((await whoami(session.token)).statusCode).toBe(401);
  });

  it('an expired session is still revoked -> 204, with reason logout', async () => {
    const token = generateToken(randomBytes);
    const sessionId = randomUUID();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    await authority.log.append([
      {
        id: randomUUID(),
        source: 'urn:test',
        type: SESSION_ISSUED_V1,
        time: past,
        subject: sessionId,
        data: {
          session_id: sessionId,
          identity_id: randomUUID(),
          token_sha256: tokenDigest(token),
          issued_at: past,
          authenticated_at: past,
          expires_at: new Date(Date.now() - 1000).toISOString(),
          actor: { type: 'admin', id: 'test' },
          request_id: 'seed',
        },
      },
    ]);
    await expect
      .poll(() => authority.readModel.sessions().some((s) => s.id === sessionId))
      .toBe(true);
    expect((await whoami(token)).statusCode).toBe(401);
    expect((await logout(token)).statusCode).toBe(204);
    const row = authority.readModel.sessions().find((s) => s.id === sessionId);
    expect(row?.revokeReason).toBe('logout');
  });

  it('a session revoked before -> 204 and no new event', async () => {
    const session = await issue();
    expect((await logout(session.token)).statusCode).toBe(204);
    const partition = authority.log.records(authority.log.partitionOf(session.id));
    const before = partition.length;
    const repeated = await logout(session.token);
    expect(repeated.statusCode).toBe(204);
    expect(repeated.headers['session-log-position']).toBeUndefined();
    expect(authority.log.records(authority.log.partitionOf(session.id))).toHaveLength(before);
  });

  it('echoes the caller X-Request-ID in the header and the error body', async () => {
    const response = await authority.publicApp.inject({
      method: 'DELETE',
      url: PATH,
      headers: { ...JSON_TYPE, 'x-request-id': 'trace-abc-123' },
      payload: '{}',
    });
    expect(response.headers['x-request-id']).toBe('trace-abc-123');
    expectErrorGeneric(response, 403, REJECTED);
  });
});
