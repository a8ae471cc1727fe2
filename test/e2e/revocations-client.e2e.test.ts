import { randomUUID } from 'node:crypto';
import { readLogEnd } from '@session-authority/event-log';
import { lastPositions } from '@session-authority/read-model';
import {
  MalformedPositionError,
  RevocationClient,
  type Revocation,
} from '@session-authority/revocations';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { issuedEvent, revokedEvent } from '../support/events.js';
import { readFeed } from '../support/feed-reader.js';
import { expectErrorGeneric, issueSession, logout } from '../support/http.js';
import { waitForProjection } from '../support/projector-probe.js';
import { createRawProducer } from '../support/raw-producer.js';
import { startService, type RunningService } from '../support/service-process.js';
import { kafkaBrokers } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

let cluster: Cluster;
let feedTopic = '';
const clients: RevocationClient[] = [];
const services: RunningService[] = [];
const kafkaConfig = {
  clientId: 'test-revocations',
  brokers: kafkaBrokers(),
  logLevel: logLevel.NOTHING,
};
const kafka = new Kafka(kafkaConfig);

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2, extra: { FEED_SWEEP_INTERVAL_MS: '300' } });
  feedTopic = `${cluster.topic}.revocations`;
});

afterAll(async () => {
  for (const client of clients) await client.close();
  for (const service of services) await service.stop();
  await cluster.stop();
});

/** Given a configuration rather than a client, it reads the feed in a child process. */
async function startClient(given: Kafka | typeof kafkaConfig = kafka): Promise<RevocationClient> {
  const client = await RevocationClient.start({
    kafka: given,
    logTopic: cluster.topic,
    feedTopic,
    pruneIntervalMs: 200,
  });
  clients.push(client);
  return client;
}

/** Appends `active` issued sessions and `revoked` issued-then-revoked ones, spread over the partitions. */
async function seedLog(
  active: number,
  revoked: number,
): Promise<{ activeIds: string[]; revokedIds: string[] }> {
  const producer = await createRawProducer(cluster.topic);
  try {
    const issued = Array.from({ length: active + revoked }, () => issuedEvent());
    const revocations = issued.slice(active).map((event) => revokedEvent(event.data));
    const events = [...issued, ...revocations];
    const chunk = 1000;
    for (let start = 0; start < events.length; start += chunk) {
      // A session's events on one partition, in order: by the index of its issuance.
      const byPartition = new Map<number, typeof events>();
      for (const event of events.slice(start, start + chunk)) {
        const partition = parseInt(event.subject.slice(0, 2), 16) % 4;
        byPartition.set(partition, [...(byPartition.get(partition) ?? []), event]);
      }
      for (const [partition, batch] of byPartition) await producer.sendEvents(partition, batch);
    }
    const end = await readLogEnd({ brokers: kafkaBrokers(), clientId: 'test' }, cluster.topic);
    await waitForProjection(cluster.db, cluster.topic, lastPositions(end), 60_000);
    return {
      activeIds: issued.slice(0, active).map((event) => event.subject),
      revokedIds: issued.slice(active).map((event) => event.subject),
    };
  } finally {
    await producer.close();
  }
}

describe('the revocations client against the real broker', () => {
  it('bootstraps from the feed and tails the log: started after or before, it knows exactly the revoked', async () => {
    const before = await startClient();
    const seenLive = new Set<string>();
    before.on('revoked', (revocation: Revocation) => seenLive.add(revocation.sessionId));

    const { activeIds, revokedIds } = await seedLog(10_000, 10_000);

    for (const after of [await startClient(), await startClient(kafkaConfig)]) {
      expect(after.size).toBe(10_000);
      expect(revokedIds.filter((id) => !after.isRevoked(id))).toEqual([]);
      expect(activeIds.filter((id) => after.isRevoked(id))).toEqual([]);
      // It started from the feed's checkpoints, not from the log's beginning.
      expect(
        [...after.position().values()].reduce((sum, next) => sum + next, 0n),
      ).toBeGreaterThanOrEqual(30_000n);
    }

    await waitFor(
      'every revocation reaching the client started before',
      () => seenLive.size === 10_000,
      30_000,
    );
    expect(revokedIds.filter((id) => !before.isRevoked(id))).toEqual([]);
    expect(activeIds.filter((id) => before.isRevoked(id))).toEqual([]);
  });

  it("waitFor with a 204's Session-Log-Position resolves, and the session is then revoked", async () => {
    const client = await startClient();
    const api = cluster.apis[1] as RunningService;
    const session = await issueSession(cluster.apis[0] as RunningService);
    expect(client.isRevoked(session.sessionId)).toBe(false);
    const response = await logout(api, session.token);
    expect(response.status).toBe(204);
    const position = response.headers.get('session-log-position') ?? '';
    await client.waitFor(position, 5_000);
    expect(client.isRevoked(session.sessionId)).toBe(true);
    expect(client.lag()).toBe(0);
    await expect(client.waitFor('not a position', 100)).rejects.toThrow(MalformedPositionError);
  });

  it('drops a revoked session once it expires, and the feed tombstones it', async () => {
    const client = await startClient();
    const api = cluster.apis[0] as RunningService;
    const { sessionId, token } = await issueSession(api, randomUUID(), { expires_in: '2s' });
    const response = await logout(api, token);
    await client.waitFor(response.headers.get('session-log-position') ?? '', 5_000);
    expect(client.isRevoked(sessionId)).toBe(true);
    const held = client.size;
    await waitFor(
      'the client to drop the expired revocation',
      () => client.size === held - 1,
      10_000,
    );
    expect(client.isRevoked(sessionId)).toBe(false);
    await waitFor(
      'the tombstone in the feed',
      async () => (await readFeed(feedTopic)).sessions.get(sessionId) === null,
      15_000,
      200,
    );
  });

  it('the example service: 200 for an active session, 401 errorGeneric at once after a logout on either replica', async () => {
    const example = await startService('example-resource', cluster.env, 'example');
    services.push(example);
    const call = (sessionId: string, position?: string) =>
      fetch(`http://127.0.0.1:${example.port}/`, {
        headers: {
          'x-session-id': sessionId,
          ...(position === undefined ? {} : { 'session-log-position': position }),
        },
      });
    for (const api of cluster.apis) {
      const session = await issueSession(cluster.apis[0] as RunningService);
      const ok = await call(session.sessionId);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ session_id: session.sessionId });
      const response = await logout(api, session.token);
      expect(response.status).toBe(204);
      const revoked = await call(
        session.sessionId,
        response.headers.get('session-log-position') ?? '',
      );
      await expectErrorGeneric(revoked, 401);
    }
    await expectErrorGeneric(await call(randomUUID(), '0:zero'), 400);
    await expectErrorGeneric(await fetch(`http://127.0.0.1:${example.port}/`), 401);
  });
});
