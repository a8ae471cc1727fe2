import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { adminUrl, issueSession, logout, whoami } from '../support/http.js';
import { readTopic } from '../support/topic-reader.js';
import { ADMIN_KEY, type RunningService } from '../support/service-process.js';

let cluster: Cluster;
let a: RunningService;
let b: RunningService;

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
  [a, b] = cluster.apis as [RunningService, RunningService];
});

afterAll(async () => {
  await cluster.stop();
});

function admin(api: RunningService, method: string, path: string, body?: unknown) {
  return fetch(adminUrl(api, path), {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface SessionView {
  id: string;
  active: boolean;
  expires_at: string;
  authenticated_at: string;
  issued_at: string;
  identity: { id: string };
}

describe('the admin API', () => {
  it('issues a session with the asked lifespan, a Kratos token and no token in later reads', async () => {
    const identityId = randomUUID();
    const before = Date.now();
    const response = await admin(a, 'POST', `/admin/identities/${identityId}/sessions`, {
      expires_in: '2h',
    });
    expect(response.status).toBe(201);
    const issued = (await response.json()) as { session: SessionView; session_token: string };
    expect(issued.session_token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
    expect(issued.session.identity.id).toBe(identityId);
    expect(issued.session.active).toBe(true);
    const lifespan = Date.parse(issued.session.expires_at) - before;
    expect(lifespan).toBeGreaterThan(2 * 3600_000 - 5_000);
    expect(lifespan).toBeLessThan(2 * 3600_000 + 5_000);

    // Read on the other replica at once: issuing also waits for the projection.
    const read = await admin(b, 'GET', `/admin/sessions/${issued.session.id}`);
    expect(read.status).toBe(200);
    const text = await read.text();
    expect(JSON.parse(text)).toEqual(issued.session);
    expect(text).not.toContain(issued.session_token);
  });

  it('revokes by id and all of an identity, each path with its own reason and actor', async () => {
    const loggedOut = await issueSession(a);
    const byId = await issueSession(a, loggedOut.identityId);
    const remaining = await issueSession(b, loggedOut.identityId);

    expect((await logout(b, loggedOut.token)).status).toBe(204);
    expect((await admin(a, 'DELETE', `/admin/sessions/${byId.sessionId}`)).status).toBe(204);
    expect((await admin(b, 'DELETE', `/admin/sessions/${byId.sessionId}`)).status).toBe(204);
    expect((await whoami(b, byId.token)).status).toBe(401);
    expect((await whoami(a, remaining.token)).status).toBe(200);

    const path = `/admin/identities/${loggedOut.identityId}/sessions`;
    expect((await admin(b, 'DELETE', path)).status).toBe(204);
    expect((await whoami(a, remaining.token)).status).toBe(401);
    // Already all revoked: still 204, and no new event.
    expect((await admin(a, 'DELETE', path)).status).toBe(204);

    const listed = (await (await admin(a, 'GET', path)).json()) as SessionView[];
    expect(listed.map((s) => s.id).sort()).toEqual(
      [loggedOut.sessionId, byId.sessionId, remaining.sessionId].sort(),
    );
    expect(listed.every((s) => !s.active)).toBe(true);

    const revocations = (await readTopic(cluster.topic))
      .filter((e) => e.type === 'session.revoked.v2')
      .map((e) => e.data as { session_id: string; reason: string; actor: { type: string } })
      .filter((data) => listed.some((s) => s.id === data.session_id));
    expect(revocations.map((r) => [r.session_id, r.reason, r.actor.type]).sort()).toEqual(
      [
        [loggedOut.sessionId, 'logout', 'identity'],
        [byId.sessionId, 'admin', 'admin'],
        [remaining.sessionId, 'identity_revoked', 'admin'],
      ].sort(),
    );
  });

  it('answers 401 for a wrong key of the right length', async () => {
    const response = await fetch(adminUrl(a, `/admin/sessions/${randomUUID()}`), {
      headers: { authorization: `Bearer ${ADMIN_KEY.replace(/.$/, '_')}` },
    });
    expect(response.status).toBe(401);
  });
});
