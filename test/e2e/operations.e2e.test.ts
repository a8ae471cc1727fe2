import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { expectErrorGeneric, issueSession, logout, publicUrl } from '../support/http.js';
import { readTopic } from '../support/topic-reader.js';
import { metricValue } from '../support/projector-probe.js';
import { startService, type RunningService } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

let cluster: Cluster;
let api: RunningService;

beforeAll(async () => {
  cluster = await startCluster({
    replicas: 1,
    extra: { LOGOUT_FORBIDDEN_LIMIT: '3', LOGOUT_FORBIDDEN_WINDOW_MS: '60000' },
  });
  api = cluster.apis[0] as RunningService;
});

afterAll(async () => {
  await cluster.stop();
});

describe('operations', () => {
  it('reports health, and metrics for requests, revocations, projection waits and projector lag', async () => {
    expect((await fetch(publicUrl(api, '/health/alive'))).status).toBe(200);
    const ready = await fetch(publicUrl(api, '/health/ready'));
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { postgres: true, kafka: true, migrations: true },
    });

    const session = await issueSession(api);
    expect((await logout(api, session.token)).status).toBe(204);
    expect(await metricValue(api, 'session_revocations_total', 'reason="logout"')).toBe(1);
    expect(await metricValue(api, 'projection_wait_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(
      await metricValue(
        api,
        'http_request_duration_seconds_count',
        'route="/auth/self-service/logout/api",status="204"',
      ),
    ).toBe(1);
    const projector = cluster.projector;
    expect(await metricValue(projector, 'projector_events_applied_total')).toBe(2);
    expect(await metricValue(projector, 'projector_lag_records')).toBe(0);
    // Partition 0 starts with the topic's identity record: two events, three records.
    expect(await metricValue(projector, 'projector_next_offset')).toBe(3);
    // Every transaction (at least the issuance's and the logout's) times each of its parts.
    const parts = ['statements', 'revocation-feed', 'session-state', 'commit'];
    const partCounts = () =>
      Promise.all(
        parts.map((part) =>
          metricValue(projector, 'projector_transaction_part_seconds_count', `part="${part}"`),
        ),
      );
    // The commit is timed once PostgreSQL has answered it, which the 204 may precede by a moment.
    const counts = await waitFor('every part of every transaction timed', async () => {
      const found = await partCounts();
      return new Set(found).size === 1 && found;
    });
    expect(counts[0]).toBeGreaterThanOrEqual(2);
  });

  // Last: it leaves this client rate limited on this replica.
  it('answers 429 with Retry-After once a client has collected the configured 403s', async () => {
    for (let i = 0; i < 3; i++)
      await expectErrorGeneric(await logout(api, `ory_st_guess${i}`), 403);
    const limited = await logout(api, 'ory_st_guess4');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectErrorGeneric(limited, 429);
  });
});

describe('graceful shutdown', () => {
  it('a logout in flight at SIGTERM still gets its 204, then the replica exits 0', async () => {
    const replica = await startService('auth-api', cluster.env, 'draining');
    const session = await issueSession(replica);
    // With the projector stopped the logout waits for the projection: it stays in flight.
    await cluster.projector.stop();
    const answer = logout(replica, session.token);
    await waitFor('the revocation to reach the log', async () =>
      (await readTopic(cluster.topic)).some(
        (e) => e.type === 'session.revoked.v2' && e.subject === session.sessionId,
      ),
    );
    replica.child.kill('SIGTERM');
    await waitFor('the replica to start draining', () =>
      replica.output().includes('draining and stopping'),
    );
    const projector = await startService('projector', cluster.env, 'projector-again');
    try {
      expect((await answer).status).toBe(204);
      await replica.exited();
      expect(replica.child.exitCode, replica.output()).toBe(0);
    } finally {
      await projector.stop();
    }
  });
});
