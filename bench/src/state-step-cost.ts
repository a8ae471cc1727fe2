import { decodeRecords, encodeEnvelope, type EventEnvelope } from '@session-authority/events';
import { createFeedWriter, ensureCompactedTopic } from '@session-authority/event-log';
import { feedStep, projectionsOf, stateStep } from '@session-authority/projector';
import {
  createProjectionStore,
  migrateReadModel,
  openReadModel,
  type ProjectionBatch,
  type ProjectionStore,
} from '@session-authority/read-model';
import pg from 'pg';
import { percentiles, type Latency } from './load-job.js';
import { issuedEnvelope, makeSessions, revokedEnvelope } from './seed.js';

const WARMUP = 20;

export interface StateStepCost {
  readonly iterations: number;
  /** One logout a batch, applied by the projector's store with the feed step only. */
  readonly withoutMs: Latency;
  /** The same batches, applied with the session-state step too. */
  readonly withMs: Latency;
}

/**
 * What the session-state step adds to a batch: the projector's own store (all projections, the
 * feed step) applies the same one-logout batches into two schemas, one of them with the state
 * step too, alternating which goes first, one batch at a time, on the real Kafka and PostgreSQL.
 */
export async function measureStateStep(
  brokers: readonly string[],
  databaseUrl: string,
  iterations: number,
): Promise<StateStepCost> {
  const stamp = Date.now();
  const topic = `bench-state-step-${stamp}`;
  const connection = { brokers, clientId: 'bench-state-step' };
  const topics = { feed: `${topic}.revocations`, state: `${topic}.session-state` };
  for (const name of Object.values(topics))
    await ensureCompactedTopic(connection, { topic: name, partitions: 1, replicationFactor: 1 });
  const feed = await createFeedWriter({ ...connection, topic: topics.feed });
  const state = await createFeedWriter({ ...connection, topic: topics.state });
  const schemas = [`bench_step_without_${stamp}`, `bench_step_with_${stamp}`] as const;
  const orms = await Promise.all(
    schemas.map((schema) => openReadModel({ url: databaseUrl, schema })),
  );
  try {
    await Promise.all(orms.map((orm) => migrateReadModel(orm)));
    const stores: ProjectionStore[] = orms.map((orm, i) =>
      createProjectionStore({
        em: orm.em,
        schema: schemas[i] ?? '',
        topic,
        projections: projectionsOf(),
        preCommit: i === 0 ? [feedStep(feed)] : [feedStep(feed), stateStep(state)],
      }),
    );
    let offset = 0n;
    const batchOf = (envelopes: readonly EventEnvelope[]): ProjectionBatch => {
      const records = envelopes.map((e) => ({
        offset: offset++,
        record: encodeEnvelope(e),
        timestamp: new Date(),
      }));
      const { events, quarantined } = decodeRecords(records);
      return { partition: 0, events, quarantined, records, nextOffset: offset };
    };
    const sessions = makeSessions(iterations + WARMUP);
    const issued = batchOf(sessions.map((s) => issuedEnvelope(s)));
    for (const store of stores) await store.apply([issued]);
    const samples: [number[], number[]] = [[], []];
    for (const [i, session] of sessions.entries()) {
      const batch = batchOf([revokedEnvelope(session)]);
      for (const which of i % 2 === 0 ? [0, 1] : [1, 0]) {
        const started = performance.now();
        await stores[which]?.apply([batch]);
        if (i >= WARMUP) samples[which]?.push(performance.now() - started);
      }
    }
    return { iterations, withoutMs: percentiles(samples[0]), withMs: percentiles(samples[1]) };
  } finally {
    await Promise.all([feed.close(), state.close(), ...orms.map((orm) => orm.close())]);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    for (const schema of schemas) await client.query(`drop schema "${schema}" cascade`);
    await client.end();
  }
}
