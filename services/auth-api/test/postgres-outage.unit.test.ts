import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorGeneric } from './support/expect-error.js';
import { ADMIN_KEY, startInProcess, type InProcessAuthority } from './support/in-process.js';

interface Operation {
  readonly port: 'public' | 'admin';
  readonly method: string;
  readonly path: string;
  readonly documented: readonly string[];
}

let authority: InProcessAuthority;
let operations: Operation[];
let token = '';
let sessionId = '';

async function operationsOf(port: 'public' | 'admin'): Promise<Operation[]> {
  const app = port === 'public' ? authority.publicApp : authority.adminApp;
  const response = await app.inject({
    method: 'GET',
    url: `/openapi/${port}.json`,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  const doc = response.json<{
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  }>();
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      port,
      method: method.toUpperCase(),
      path,
      documented: Object.keys(op.responses),
    })),
  );
}

/** A request every part of which is valid, so that only the outage can fail it. */
function requestFor(op: Operation): InjectOptions {
  // The public document's paths are relative to its server, the base path.
  const url = `${op.port === 'public' ? '/auth' : ''}${op.path}`
    .replace('{id}', sessionId)
    .replace('{identity_id}', randomUUID())
    .concat(op.path === '/admin/audit/events' ? `?session_id=${sessionId}` : '');
  const body = op.path.endsWith('/logout/api')
    ? { session_token: token }
    : op.method === 'POST'
      ? {}
      : undefined;
  return {
    method: op.method,
    url,
    headers: {
      authorization: `Bearer ${op.port === 'admin' ? ADMIN_KEY : token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  };
}

beforeAll(async () => {
  authority = await startInProcess({ consistencyWaitMs: 100 });
  const issued = await authority.adminApp.inject({
    method: 'POST',
    url: `/admin/identities/${randomUUID()}/sessions`,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload: '{}',
  });
  const body = issued.json<{ session: { id: string }; session_token: string }>();
  token = body.session_token;
  sessionId = body.session.id;
  operations = [...(await operationsOf('public')), ...(await operationsOf('admin'))];
});

afterAll(async () => {
  await authority.close();
});

describe('PostgreSQL taken away under every route of both ports', () => {
  it('every session and audit route answers a documented 503 errorGeneric with Retry-After, never 500', async () => {
    expect(operations.length).toBeGreaterThanOrEqual(14);
    authority.readModel.failReads(new Error('connection refused'));
    authority.audit.failReads(new Error('connection refused'));
    try {
      for (const op of operations) {
        const app = op.port === 'public' ? authority.publicApp : authority.adminApp;
        const answer = await app.inject(requestFor(op));
        const name = `${op.method} ${op.path}`;
        expect(answer.statusCode, name).toBe(503);
        expectErrorGeneric(answer, 503);
        expect(answer.headers['retry-after'], name).toBe('1');
        expect(answer.body, name).not.toContain('connection refused');
        expect(op.documented, `${name} does not document its 503`).toContain('503');
      }
    } finally {
      authority.readModel.failReads(undefined);
      authority.audit.failReads(undefined);
    }
  });
});
