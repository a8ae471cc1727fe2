import { randomUUID } from 'node:crypto';
import { readLogEnd } from '@session-authority/event-log';
import { lastPositions, readProjectionOffsets } from '@session-authority/read-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { readFeed } from '../support/feed-reader.js';
import { adminUrl, issueSession, logout } from '../support/http.js';
import { waitForProjection } from '../support/projector-probe.js';
import { ADMIN_KEY, startService, type RunningService } from '../support/service-process.js';
import { kafkaBrokers } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

let cluster: Cluster;
let feedTopic = '';
const extra: RunningService[] = [];

beforeAll(async () => {
  cluster = await startCluster({ replicas: 1, extra: { FEED_SWEEP_INTERVAL_MS: '300' } });
  feedTopic = `${cluster.topic}.revocations`;
});

afterAll(async () => {
  for (const service of extra) await service.stop();
  await cluster.stop();
});

/** Sessions the read model holds as revoked and not yet expired. */
async function revokedInReadModel(): Promise<string[]> {
  const rows = await cluster.db.orm.em
    .fork()
    .execute<{ id: string }[]>(
      'select id from sessions where revoked_at is not null and expires_at > now()',
    );
  return rows.map((row) => row.id);
}

describe('the revocation feed the projector writes', () => {
  it('holds every revocation with its expiry and source, and a checkpoint per partition', async () => {
    const api = cluster.apis[0] as RunningService;
    const sessions = await Promise.all(Array.from({ length: 20 }, () => issueSession(api)));
    for (const session of sessions.slice(0, 8))
      expect((await logout(api, session.token)).status).toBe(204);
    for (const session of sessions.slice(8, 10)) {
      const response = await fetch(adminUrl(api, `/admin/sessions/${session.sessionId}`), {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(response.status).toBe(204);
    }
    const feed = await readFeed(feedTopic);
    for (const [i, session] of sessions.entries()) {
      const entry = feed.sessions.get(session.sessionId);
      if (i >= 10) {
        expect(entry).toBeUndefined();
        continue;
      }
      expect(entry).toMatchObject({
        session_id: session.sessionId,
        identity_id: session.identityId,
        reason: i < 8 ? 'logout' : 'admin',
      });
      expect(Date.parse(entry?.expires_at ?? '')).toBeGreaterThan(Date.now());
      expect(entry?.source.partition).toBe(feed.partitionOf.get(session.sessionId));
      expect(entry?.source.offset).toMatch(/^\d+$/);
    }
    // Written before each batch commits: the feed is never behind the read model.
    const stored = await readProjectionOffsets(
      cluster.db.orm.em,
      'public',
      'sessions',
      cluster.topic,
    );
    for (const [partition, next] of stored)
      expect(feed.checkpoints.get(partition) ?? 0n).toBeGreaterThanOrEqual(next);
  });

  it('tombstones a revoked session once it has expired', async () => {
    const api = cluster.apis[0] as RunningService;
    const issued = await issueSession(api, randomUUID(), { expires_in: '1s' });
    expect((await logout(api, issued.token)).status).toBe(204);
    await waitFor(
      'the tombstone of the expired revocation',
      async () => (await readFeed(feedTopic)).sessions.get(issued.sessionId) === null,
      15_000,
      200,
    );
  });

  it('after a kill -9 of the projector while it writes, the feed holds every revocation', async () => {
    const api = cluster.apis[0] as RunningService;
    const sessions = await Promise.all(Array.from({ length: 40 }, () => issueSession(api)));
    // Logouts go on while the projector dies; the ones it could not confirm are retried.
    const logouts = (async () => {
      for (const session of sessions) {
        for (let attempt = 0; attempt < 20; attempt++) {
          const status = (await logout(api, session.token)).status;
          if (status === 204) break;
          expect(status).toBe(503);
        }
      }
    })();
    await cluster.projector.kill();
    extra.push(await startService('projector', cluster.env, 'projector-after-kill'));
    await logouts;
    const end = await readLogEnd({ brokers: kafkaBrokers(), clientId: 'test' }, cluster.topic);
    await waitForProjection(cluster.db, cluster.topic, lastPositions(end), 30_000);
    const feed = await readFeed(feedTopic);
    const missing = (await revokedInReadModel()).filter((id) => !feed.sessions.get(id));
    expect(missing).toEqual([]);
  });
});
