import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { adminUrl, issueSession, logout, publicUrl } from '../support/http.js';
import { readTopic } from '../support/topic-reader.js';
import { ADMIN_KEY } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2, extra: { LOG_LEVEL: 'debug' } });
});

afterAll(async () => {
  await cluster.stop();
});

describe('secrets never reach logs or events', () => {
  it('a full flow leaves no session token and no admin key in any process output or event', async () => {
    const [a, b] = cluster.apis;
    if (a === undefined || b === undefined) throw new Error('two replicas expected');
    const wrongKey = `wrong-admin-key-${randomUUID()}`;
    const malformed = `ory_st_${randomUUID()}`;
    const first = await issueSession(a);
    const second = await issueSession(b, first.identityId);

    await fetch(publicUrl(a, '/auth/sessions/whoami'), {
      headers: { 'x-session-token': first.token },
    });
    await fetch(publicUrl(b, '/auth/sessions/whoami'), {
      headers: { authorization: `Bearer ${first.token}`, cookie: `ory_session=${second.token}` },
    });
    expect((await logout(b, first.token)).status).toBe(204);
    expect((await logout(a, first.token)).status).toBe(204);
    expect((await logout(a, malformed)).status).toBe(403);
    // A token in the query string, where a careless client might put it.
    await fetch(publicUrl(a, `/auth/self-service/logout/api?session_token=${second.token}`), {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_token: second.token }),
    });
    await fetch(adminUrl(a, `/admin/identities/${first.identityId}/sessions`), {
      headers: { authorization: `Bearer ${wrongKey}` },
    });
    // A token pasted into a path, a token and the admin key sent as request ids, the key in a path.
    await fetch(publicUrl(a, `/auth/sessions/${second.token}`));
    await fetch(adminUrl(b, `/admin/sessions/${second.token}`), {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    await fetch(publicUrl(b, '/auth/sessions/whoami'), {
      headers: { 'x-request-id': second.token },
    });
    await fetch(publicUrl(a, `/auth/${ADMIN_KEY}`), { headers: { 'x-request-id': ADMIN_KEY } });
    const last = await fetch(adminUrl(b, `/admin/identities/${first.identityId}/sessions`), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'redaction-last' },
    });
    expect(last.status).toBe(204);

    const output = () => [a, b, cluster.projector].map((service) => service.output()).join('\n');
    // The logs are real: the last request is in them, with its id.
    await waitFor('the last request in the log', () => output().includes('redaction-last'), 5000);
    expect(output()).toMatch(/"request_id":"redaction-last".*"status":204/);
    for (const secret of [first.token, second.token, malformed, ADMIN_KEY, wrongKey]) {
      expect(output()).not.toContain(secret);
    }

    const events = JSON.stringify(
      (await readTopic(cluster.topic)).map(({ offset: _offset, ...event }) => event),
    );
    expect(events).toContain(createHash('sha256').update(first.token).digest('hex'));
    for (const secret of [first.token, second.token, ADMIN_KEY]) {
      expect(events).not.toContain(secret);
    }
  });
});
