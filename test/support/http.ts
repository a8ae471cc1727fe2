import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { expectErrorGeneric as expectAnswer } from '@session-authority/testkit';
import { ADMIN_KEY, type RunningService } from './service-process.js';

export { errorGenericBody } from '@session-authority/testkit';

export const publicUrl = (api: RunningService, path: string) =>
  `http://127.0.0.1:${api.port}${path}`;
export const adminUrl = (api: RunningService, path: string) =>
  `http://127.0.0.1:${api.adminPort}${path}`;

/** Issues a session through the admin API; `request` is its body, e.g. `{expires_in: '2s'}`. */
export async function issueSession(
  api: RunningService,
  identityId: string = randomUUID(),
  request: Record<string, unknown> = {},
) {
  const response = await fetch(adminUrl(api, `/admin/identities/${identityId}/sessions`), {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as {
    session: { id: string; identity: { id: string } };
    session_token: string;
  };
  return { sessionId: body.session.id, identityId, token: body.session_token };
}

export function logout(api: RunningService, token: unknown): Promise<Response> {
  return fetch(publicUrl(api, '/auth/self-service/logout/api'), {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ session_token: token }),
  });
}

export function whoami(api: RunningService, token: string): Promise<Response> {
  return fetch(publicUrl(api, '/auth/sessions/whoami'), { headers: { 'x-session-token': token } });
}

/** Asserts a non-2xx answer is Ory's errorGeneric with the given code. */
export async function expectErrorGeneric(
  response: Response,
  code: number,
  reason?: string,
): Promise<void> {
  const answer = {
    status: response.status,
    header: (name: string) => response.headers.get(name) ?? undefined,
    body: await response.text(),
  };
  expectAnswer(answer, code, reason);
}

/** The HTTP status of a failed SDK call (axios rejects every non-2xx). */
export async function statusOfFailure(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
  } catch (error) {
    return (error as { response?: { status?: number } }).response?.status;
  }
  throw new Error('expected the SDK call to fail');
}
