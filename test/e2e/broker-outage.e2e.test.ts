import { freePort, startKafkaBroker, stopKafkaBroker } from '@session-authority/local-infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { expectErrorGeneric, issueSession, logout, whoami } from '../support/http.js';
import { waitFor } from '../support/wait-for.js';

// A broker of this file's own, so stopping it disturbs no other test.
const BROKER = `outage-${process.pid}`;
let ports: { port: number; controllerPort: number };
let cluster: Cluster;

async function startBroker(): Promise<string> {
  const broker = await startKafkaBroker({ name: BROKER, ...ports });
  return broker.brokers.join(',');
}

beforeAll(async () => {
  ports = { port: await freePort(), controllerPort: await freePort() };
  cluster = await startCluster({
    replicas: 1,
    brokers: await startBroker(),
    extra: { CONSISTENCY_WAIT_MS: '2000' },
  });
});

afterAll(async () => {
  await cluster.stop();
  await stopKafkaBroker(BROKER, { removeData: true });
});

describe('logout while the broker is down', () => {
  it('answers 503 and records nothing while whoami goes on and the replica stays ready; once the broker is back the same logout answers 204', async () => {
    const [api] = cluster.apis;
    if (api === undefined) throw new Error('one replica expected');
    const session = await issueSession(api);
    const revokedBefore = await issueSession(api);
    expect((await logout(api, revokedBefore.token)).status).toBe(204);

    await stopKafkaBroker(BROKER);
    await expectErrorGeneric(await logout(api, session.token), 503);
    const revokedAt = async () => {
      const [row] = await cluster.db.orm.em
        .fork()
        .execute<{ revoked_at: string | null }[]>('select revoked_at from sessions where id = ?', [
          session.sessionId,
        ]);
      return row?.revoked_at;
    };
    expect(await revokedAt()).toBeNull();
    // whoami needs only PostgreSQL: it goes on answering, and the replica stays ready.
    expect((await whoami(api, session.token)).status).toBe(200);
    expect((await whoami(api, revokedBefore.token)).status).toBe(401);
    const ready = await fetch(`http://127.0.0.1:${api.port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { kafka: false, postgres: true } });

    await startBroker();
    // The producer reconnects on its own; until it has, a retry may still see 503.
    await waitFor(
      'the logout to succeed after the broker restart',
      async () => (await logout(api, session.token)).status === 204,
      60_000,
      250,
    );
    expect(await revokedAt()).not.toBeNull();
    expect((await whoami(api, session.token)).status).toBe(401);
  });
});
