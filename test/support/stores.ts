import { randomBytes } from 'node:crypto';
import { createKafka, ensureTopic } from '@session-authority/event-log';
import { dropDatabase, ensureDatabase, withDatabase } from '@session-authority/local-infra';
import { migrateReadModel, openReadModel, type ReadModelOrm } from '@session-authority/read-model';
import { inject } from 'vitest';

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

export function kafkaBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

export interface TestDatabase {
  readonly url: string;
  readonly orm: ReadModelOrm;
  drop(): Promise<void>;
}

/** A fresh database for one test file, migrated with the real migrations. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = withDatabase(inject('postgresUrl'), uniqueName('sa_test'));
  await ensureDatabase(url);
  const orm = await openReadModel({ url, poolMax: 4 });
  await migrateReadModel(orm);
  return {
    url,
    orm,
    drop: async () => {
      await orm.close();
      await dropDatabase(url);
    },
  };
}

/** A topic of its own, so tests never see each other's events. */
export async function createTestTopic(
  partitions = 4,
  brokers: string[] = kafkaBrokers(),
  replicationFactor = 1,
): Promise<string> {
  const topic = uniqueName('session-events');
  await ensureTopic({ brokers, clientId: 'test-setup' }, { topic, partitions, replicationFactor });
  return topic;
}

/** A topic with no identity record: a copy of another log, or one made by hand. */
export async function createUnmarkedTopic(
  partitions = 4,
  brokers: string[] = kafkaBrokers(),
): Promise<string> {
  const topic = uniqueName('session-events');
  const admin = createKafka({ brokers, clientId: 'test-setup' }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}
