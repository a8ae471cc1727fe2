import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic } from '../support/topic-reader.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { issueSession, logout, whoami } from '../support/http.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
});

afterAll(async () => {
  await cluster.stop();
});

describe('two API replicas and a projector, each its own process', () => {
  it('after a 204 on replica B, replica A answers whoami 401 at once and a repeated logout 204', async () => {
    const [a, b] = cluster.apis;
    if (a === undefined || b === undefined) throw new Error('two replicas expected');
    const session = await issueSession(a);
    expect((await whoami(b, session.token)).status).toBe(200);

    expect((await logout(b, session.token)).status).toBe(204);
    // No retry and no wait: the 204 was only sent once the read model showed the revocation.
    expect((await whoami(a, session.token)).status).toBe(401);
    expect((await logout(a, session.token)).status).toBe(204);
  });

  it('20 concurrent logouts of one token over both replicas all answer 204; the first revocation stands', async () => {
    const [a, b] = cluster.apis;
    if (a === undefined || b === undefined) throw new Error('two replicas expected');
    const session = await issueSession(b);

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => logout(i % 2 === 0 ? a : b, session.token)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array<number>(20).fill(204));

    const rows = await cluster.db.orm.em
      .fork()
      .execute<{ revoked_at: string; revoke_reason: string }[]>(
        'select revoked_at, revoke_reason from sessions where id = ?',
        [session.sessionId],
      );
    expect(rows).toHaveLength(1);
    const revocations = (await readTopic(cluster.topic))
      .filter((e) => e.type === 'session.revoked.v2' && e.subject === session.sessionId)
      .map((e) => (e.data as { revoked_at: string }).revoked_at);
    expect(revocations.length).toBeGreaterThanOrEqual(1);
    expect(revocations.length).toBeLessThanOrEqual(2); // at most one per replica: each joins its own in-flight revocation
    expect(new Date(rows[0]?.revoked_at ?? 0).toISOString()).toBe(revocations[0]);
    expect(rows[0]?.revoke_reason).toBe('logout');
  });
});
