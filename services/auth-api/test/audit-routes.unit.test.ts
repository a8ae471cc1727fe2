import { randomUUID } from 'node:crypto';
import { CHAIN_START, chainNext, recordSha256 } from '@session-authority/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorGeneric } from './support/expect-error.js';
import {
  adminRequest,
  issueSession,
  startInProcess,
  type InProcessAuthority,
} from './support/in-process.js';

let authority: InProcessAuthority;
beforeAll(async () => {
  authority = await startInProcess();
});
afterAll(async () => {
  await authority.close();
});

const admin = (method: 'GET' | 'POST' | 'DELETE', url: string) =>
  adminRequest(authority, method, url);

interface AuditEventView {
  partition: number;
  offset: string;
  type: string;
  session_id: string;
  request_id: string;
  actor: { type: string; id: string };
  reason: string | null;
  record_sha256: string;
  chain_sha256: string;
}

const issue = (identityId: string) => issueSession(authority, identityId);

describe('the audit trail on the admin API, in process', () => {
  it("lists a session's records oldest first, and an identity's and a request's", async () => {
    const identityId = randomUUID();
    const [first, second] = [await issue(identityId), await issue(identityId)];
    const revoked = await admin('DELETE', `/admin/identities/${identityId}/sessions`);
    const requestId = String(revoked.headers['x-request-id']);

    const bySession = await admin('GET', `/admin/audit/events?session_id=${first.id}`);
    expect(bySession.statusCode, bySession.body).toBe(200);
    expect(bySession.json<AuditEventView[]>().map((e) => [e.type, e.reason])).toEqual([
      ['session.issued.v2', null],
      ['session.revoked.v2', 'identity_revoked'],
    ]);
    const byIdentity = (
      await admin('GET', `/admin/audit/events?identity_id=${identityId}&page_size=1`)
    ).json<AuditEventView[]>();
    expect(byIdentity).toHaveLength(1);
    const byRequest = (await admin('GET', `/admin/audit/events?request_id=${requestId}`)).json<
      AuditEventView[]
    >();
    expect(byRequest.map((e) => e.session_id).sort()).toEqual([first.id, second.id].sort());
    const byActor = (await admin('GET', `/admin/audit/events?actor_id=admin-api-key`)).json<
      AuditEventView[]
    >();
    expect(byActor.length).toBeGreaterThanOrEqual(4);
  });

  it('pages through the Link header, and each row carries its record hash and chain', async () => {
    const identityId = randomUUID();
    for (let i = 0; i < 5; i++) await issue(identityId);
    const seen: AuditEventView[] = [];
    let next: string | undefined = `/admin/audit/events?identity_id=${identityId}&page_size=2`;
    while (next !== undefined) {
      const page = await admin('GET', next);
      seen.push(...page.json<AuditEventView[]>());
      const link = String(page.headers.link);
      next = /<([^>]*)>; rel="next"/.exec(link)?.[1];
    }
    expect(seen).toHaveLength(5);
    for (const event of seen) {
      const records = authority.log.records(event.partition);
      const index = records.findIndex((r) => r.offset.toString() === event.offset);
      const record = records[index];
      if (record === undefined) throw new Error('the row names a record of the log');
      expect(event.record_sha256).toBe(recordSha256(event.partition, record.offset, record.record));
      let chain = CHAIN_START;
      for (const r of records.slice(0, index + 1))
        chain = chainNext(chain, recordSha256(event.partition, r.offset, r.record));
      expect(event.chain_sha256).toBe(chain);
    }
  });

  it('gives the head of every partition it has seen', async () => {
    await issue(randomUUID());
    const heads = (await admin('GET', '/admin/audit/heads')).json<
      { partition: number; offset: string; chain_sha256: string }[]
    >();
    expect(heads.length).toBeGreaterThan(0);
    for (const head of heads) {
      const last = authority.log.records(head.partition).at(-1);
      expect(head.offset).toBe(last?.offset.toString());
      expect(head.chain_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it.each([
    ['no filter', '/admin/audit/events', 400],
    ['two filters', `/admin/audit/events?session_id=${randomUUID()}&actor_id=x`, 400],
    ['a since that is not RFC 3339', '/admin/audit/events?actor_id=x&since=yesterday', 400],
    ['a forged page token', '/admin/audit/events?actor_id=x&page_token=bm9wZQ', 400],
    [
      'a session page token',
      '/admin/audit/events?actor_id=x&page_token=YWZ0ZXI6MzU4ODljMjYtOGQ4MS00ZjBlLTllMjEtZjBkYTUyYzhlNDE1',
      400,
    ],
  ])('%s -> %i', async (_name, url, code) => {
    expectErrorGeneric(await admin('GET', url), code);
  });

  it('needs the admin key', async () => {
    const response = await authority.adminApp.inject({ method: 'GET', url: '/admin/audit/heads' });
    expectErrorGeneric(response, 401);
  });
});
