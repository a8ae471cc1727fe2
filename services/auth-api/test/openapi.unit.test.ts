import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startInProcess, type InProcessAuthority } from './support/in-process.js';

let authority: InProcessAuthority;
beforeAll(async () => {
  authority = await startInProcess();
});
afterAll(async () => {
  await authority.close();
});

interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<
    string,
    Record<string, { operationId: string; responses: Record<string, unknown> }>
  >;
}

async function document(name: 'public' | 'admin'): Promise<Document> {
  const response =
    name === 'public'
      ? await authority.publicApp.inject({ method: 'GET', url: '/openapi/public.json' })
      : await authority.adminApp.inject({
          method: 'GET',
          url: '/openapi/admin.json',
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
  expect(response.statusCode).toBe(200);
  return response.json<Document>();
}

const operations = (doc: Document) =>
  Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method} ${path} ${op.operationId}`),
    )
    .sort();

describe('OpenAPI 3.1 documents, generated from the route declarations', () => {
  it.each(['/metrics', '/openapi/admin.json'])(
    '%s is not served on the public port',
    async (url) => {
      expect((await authority.publicApp.inject({ method: 'GET', url })).statusCode).toBe(404);
      const noKey = await authority.adminApp.inject({ method: 'GET', url });
      expect(noKey.statusCode).toBe(401);
    },
  );

  it('the public document has exactly the Kratos operations, relative to the base path', async () => {
    const doc = await document('public');
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers[0]?.url).toBe('/auth');
    expect(operations(doc)).toEqual([
      'delete /self-service/logout/api performNativeLogout',
      'delete /sessions disableMyOtherSessions',
      'delete /sessions/{id} disableMySession',
      'get /sessions listMySessions',
      'get /sessions/whoami toSession',
    ]);
    expect(doc.paths['/sessions']?.get?.responses['200']).toMatchObject({
      headers: { Link: {} },
    });
    const logout = doc.paths['/self-service/logout/api']?.delete?.responses ?? {};
    expect(logout['204']).toMatchObject({ headers: { 'Session-Log-Position': {} } });
    expect(Object.keys(doc.paths['/self-service/logout/api']?.delete?.responses ?? {})).toEqual([
      '204',
      '400',
      '403',
      '413',
      '429',
      '503',
    ]);
  });

  it('the admin document has every admin route, with {param} paths', async () => {
    const doc = await document('admin');
    expect(operations(doc)).toEqual([
      'delete /admin/identities/{identity_id}/sessions deleteIdentitySessions',
      'delete /admin/sessions/{id} disableSession',
      'get /admin/audit/events listAuditEvents',
      'get /admin/audit/heads listAuditChainHeads',
      'get /admin/identities/{identity_id}/sessions listIdentitySessions',
      'get /admin/sessions listSessions',
      'get /admin/sessions/{id} getSession',
      'patch /admin/sessions/{id}/extend extendSession',
      'post /admin/identities/{identity_id}/sessions issueSession',
    ]);
    expect(doc.paths['/admin/sessions']?.get?.responses['200']).toMatchObject({
      headers: { Link: {} },
    });
  });
});
