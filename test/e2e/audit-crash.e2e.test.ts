import { readLogEnd } from '@session-authority/event-log';
import { lastPositions } from '@session-authority/read-model';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { issuedEvent, revokedEvent } from '../support/events.js';
import { waitForProjection } from '../support/projector-probe.js';
import { createRawProducer } from '../support/raw-producer.js';
import { runScript } from '../support/run-script.js';
import { startService, type RunningService } from '../support/service-process.js';
import { kafkaBrokers } from '../support/stores.js';

let cluster: Cluster;
const extra: RunningService[] = [];

beforeAll(async () => {
  cluster = await startCluster({ replicas: 1 });
});

afterAll(async () => {
  for (const service of extra) await service.stop();
  await cluster.stop();
});

const chainOf = async (client: pg.Client, schema: string, topic: string) =>
  (
    await client.query<{ row: string }>(
      `select log_partition || ':' || log_offset || ':' || record_sha256 || ':' || chain_sha256 as row
       from "${schema}".audit_events where topic = $1 order by log_partition, log_offset`,
      [topic],
    )
  ).rows.map((r) => r.row);

describe('the audit chain through a projector crash', () => {
  it('after a kill -9 and a restart the chain is the one a clean rebuild makes', async () => {
    const producer = await createRawProducer(cluster.topic);
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const issued = issuedEvent();
        const events = i % 3 === 0 ? [issued, revokedEvent(issued.data)] : [issued];
        await producer.sendEvents(i % 4, events);
      }
    };
    try {
      await send(60);
      // Killed with batches in flight: whatever it had not committed is applied again.
      const sending = send(60);
      await cluster.projector.kill();
      await sending;
      extra.push(await startService('projector', cluster.env, 'projector-after-crash'));
      await send(60);
    } finally {
      await producer.close();
    }
    const end = await readLogEnd({ brokers: kafkaBrokers(), clientId: 'test' }, cluster.topic);
    await waitForProjection(cluster.db, cluster.topic, lastPositions(end), 30_000);

    const rebuilt = await runScript(
      'services/projector/dist/rebuild-cli.js',
      ['--schema', 'rebuilt'],
      {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: cluster.env.kafkaBrokers,
        KAFKA_TOPIC: cluster.topic,
        DATABASE_URL: cluster.db.url,
        LOG_LEVEL: 'warn',
      },
    );
    expect(rebuilt.code, rebuilt.stderr).toBe(0);

    const client = new pg.Client({ connectionString: cluster.db.url });
    await client.connect();
    try {
      const live = await chainOf(client, 'public', cluster.topic);
      expect(live).toHaveLength([...end.values()].reduce((sum, n) => sum + Number(n), 0));
      expect(live).toEqual(await chainOf(client, 'rebuilt', cluster.topic));
    } finally {
      await client.end();
    }
  });
});
