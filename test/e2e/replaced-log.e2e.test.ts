import { readTopicIdentity, createKafka, ensureTopic } from '@session-authority/event-log';
import { freePort, startKafkaBroker, stopKafkaBroker } from '@session-authority/local-infra';
import { LogOutOfRangeError, RevocationClient } from '@session-authority/revocations';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { issuedEvent } from '../support/events.js';
import { issueSession, logout, whoami } from '../support/http.js';
import { waitForProjection } from '../support/projector-probe.js';
import { createRawProducer } from '../support/raw-producer.js';
import { runScript, runServiceToExit } from '../support/run-script.js';
import { startService } from '../support/service-process.js';
import {
  createTestDatabase,
  createTestTopic,
  kafkaBrokers,
  uniqueName,
} from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

const REFUSAL = 'is not the log this read model follows';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
});

afterAll(async () => {
  await cluster.stop();
});

async function pinnedIdentity(topic: string) {
  const [row] = await cluster.db.orm.em
    .fork()
    .execute<{ cluster_id: string; topic_id: string }[]>(
      'select cluster_id, topic_id from log_topics where topic = ?',
      [topic],
    );
  if (row === undefined) throw new Error(`${topic} is not pinned`);
  return row;
}

/** The services' own entry points against the cluster's database, with other brokers maybe. */
const serviceEnv = (brokers = cluster.env.kafkaBrokers) => ({
  KAFKA_BROKERS: brokers,
  KAFKA_TOPIC: cluster.topic,
  FEED_TOPIC: `${cluster.topic}.revocations`,
  DATABASE_URL: cluster.db.url,
});

async function expectRefusals(brokers: string, pinned: string, found: string) {
  for (const entry of [
    'services/projector/dist/main.js',
    'services/auth-api/dist/server.js',
  ] as const) {
    const run = await runServiceToExit(entry, serviceEnv(brokers));
    expect(run.code, run.output).toBe(1);
    expect(run.fatal).toHaveLength(1);
    expect(run.fatal[0]).toContain(REFUSAL);
    expect(run.fatal[0]).toContain(pinned);
    expect(run.fatal[0]).toContain(found);
  }
  const setup = await runScript('services/projector/dist/setup-cli.js', [], {
    PATH: process.env.PATH ?? '',
    ...serviceEnv(brokers),
  });
  expect(setup.code, setup.stdout + setup.stderr).toBe(1);
  expect(setup.stderr.trim().split('\n')).toEqual([expect.stringContaining(REFUSAL)]);
}

describe('a read model never confirms against a log it was not made from', () => {
  it('the topic deleted and created again: setup, projector and replicas refuse; a rebuild follows the new log', async () => {
    const [a, b] = cluster.apis;
    if (a === undefined || b === undefined) throw new Error('two replicas expected');
    const sessions = await Promise.all([1, 2, 3, 4].map(() => issueSession(a)));
    for (const session of sessions.slice(0, 2))
      expect((await logout(b, session.token)).status).toBe(204);
    await Promise.all([...cluster.apis, ...cluster.projectors].map((service) => service.stop()));
    const pinned = await pinnedIdentity(cluster.topic);

    const admin = createKafka({ brokers: kafkaBrokers(), clientId: 'test-replace' }).admin();
    await admin.connect();
    const feed = `${cluster.topic}.revocations`;
    await admin.deleteTopics({ topics: [cluster.topic, feed] });
    await waitFor('the topics deleted', async () => {
      const topics = await admin.listTopics();
      return !topics.includes(cluster.topic) && !topics.includes(feed);
    });
    await admin.disconnect();
    // Created again as the setup step creates it: a new first record, the same cluster.
    const connection = { brokers: kafkaBrokers(), clientId: 'test-replace' };
    await ensureTopic(connection, { topic: cluster.topic, partitions: 4, replicationFactor: 1 });
    const found = await readTopicIdentity(connection, cluster.topic);
    expect(found.clusterId).toBe(pinned.cluster_id);
    expect(found.topicId).not.toBe(pinned.topic_id);

    await expectRefusals(
      cluster.env.kafkaBrokers,
      `cluster ${pinned.cluster_id} topic ${pinned.topic_id}`,
      `cluster ${found.clusterId} topic ${found.topicId ?? ''}`,
    );

    // The way back: a read model rebuilt from the new log, in a schema of its own.
    const schema = uniqueName('rebuilt');
    const rebuilt = await runScript(
      'services/projector/dist/rebuild-cli.js',
      ['--schema', schema],
      {
        PATH: process.env.PATH ?? '',
        ...serviceEnv(),
      },
    );
    expect(rebuilt.code, rebuilt.stdout + rebuilt.stderr).toBe(0);
    const env = { ...cluster.env, extra: { DATABASE_SCHEMA: schema } };
    const projector = await startService('projector', env, 'projector-rebuilt');
    const api = await startService('auth-api', env, 'api-rebuilt');
    try {
      // A session of the old log is unknown to this one: 403, never a 204 nobody applies.
      expect((await logout(api, sessions[3]?.token)).status).toBe(403);
      const fresh = await issueSession(api);
      expect((await logout(api, fresh.token)).status).toBe(204);
      expect((await whoami(api, fresh.token)).status).toBe(401);
    } finally {
      await Promise.all([api.stop(), projector.stop()]);
    }
  });

  it('a broker with new storage (another cluster id): the services and the setup refuse', async () => {
    const name = `replaced-${process.pid}`;
    const broker = await startKafkaBroker({
      name,
      port: await freePort(),
      controllerPort: await freePort(),
    });
    try {
      const brokers = broker.brokers.join(',');
      const connection = { brokers: broker.brokers, clientId: 'test-new-cluster' };
      await ensureTopic(connection, { topic: cluster.topic, partitions: 4, replicationFactor: 1 });
      const found = await readTopicIdentity(connection, cluster.topic);
      const pinned = await pinnedIdentity(cluster.topic);
      expect(found.clusterId).not.toBe(pinned.cluster_id);
      await expectRefusals(
        brokers,
        `cluster ${pinned.cluster_id}`,
        `cluster ${found.clusterId} topic ${found.topicId ?? ''}`,
      );
    } finally {
      await stopKafkaBroker(name, { removeData: true });
    }
  });
});

describe('offsets never move by themselves', () => {
  it('the log start moved past the stored offsets while the projector was stopped: it stops, naming the partition, the offset and the range', async () => {
    const db = await createTestDatabase();
    const topic = await createTestTopic(2);
    const producer = await createRawProducer(topic);
    try {
      const env = { kafkaBrokers: kafkaBrokers().join(','), databaseUrl: db.url, topic };
      const projector = await startService('projector', env);
      await producer.sendEvents(
        1,
        [1, 2, 3, 4, 5].map(() => issuedEvent()),
      );
      await waitForProjection(db, topic, [{ partition: 1, offset: 4n }]);
      await projector.stop();

      await producer.sendEvents(
        1,
        [1, 2, 3, 4, 5].map(() => issuedEvent()),
      );
      const admin = createKafka({ brokers: kafkaBrokers(), clientId: 'test-delete' }).admin();
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 1, offset: '8' }] });
      await admin.disconnect();

      const run = await runServiceToExit('services/projector/dist/main.js', {
        KAFKA_BROKERS: env.kafkaBrokers,
        KAFKA_TOPIC: topic,
        FEED_TOPIC: `${topic}.revocations`,
        DATABASE_URL: db.url,
      });
      expect(run.code, run.output).toBe(1);
      expect(run.fatal).toHaveLength(1);
      expect(run.fatal[0]).toContain(
        `partition 1: the stored offset 5 is outside the log's range [8, 10)`,
      );
      expect(run.output).not.toContain('resetting to default offset');
    } finally {
      await producer.close();
      await db.drop();
    }
  });

  it('the revocations client refuses a feed checkpoint past the end of the log', async () => {
    const logTopic = await createTestTopic(2);
    const feedTopic = await createTestTopic(2);
    const producer = await createRawProducer(feedTopic);
    try {
      await producer.send(1, [
        { key: Buffer.from('~checkpoint'), value: Buffer.from('{"next":"50"}'), headers: {} },
      ]);
    } finally {
      await producer.close();
    }
    const kafka = new Kafka({
      clientId: 'test-revocations',
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
    });
    const started = RevocationClient.start({ kafka, logTopic, feedTopic });
    await expect(started).rejects.toThrow(LogOutOfRangeError);
    await expect(started).rejects.toThrow(
      /partition 1: position 50 is outside the log's range \[0, 0\)/,
    );
  });
});
