import { ensureTopic } from '@session-authority/event-log';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { percentiles, type Latency } from './load-job.js';

/**
 * The least a logout durable in both stores can cost: one Kafka produce with acks=all, then one
 * PostgreSQL commit, one after the other, measured directly.
 */
export async function measureFloor(
  brokers: readonly string[],
  databaseUrl: string,
  iterations: number,
): Promise<{ iterations: number; latencyMs: Latency }> {
  const topic = `bench-floor-${Date.now()}`;
  await ensureTopic(
    { brokers, clientId: 'bench-floor' },
    { topic, partitions: 1, replicationFactor: 1 },
  );
  const producer = new Kafka({
    clientId: 'bench-floor',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).producer();
  const client = new pg.Client({ connectionString: databaseUrl });
  await Promise.all([producer.connect(), client.connect()]);
  try {
    await client.query(
      'create table if not exists bench_floor (id bigserial primary key, at timestamptz not null)',
    );
    const samples: number[] = [];
    for (let i = 0; i < iterations + 20; i++) {
      const started = performance.now();
      await producer.send({ topic, acks: -1, messages: [{ key: String(i), value: 'floor' }] });
      await client.query('insert into bench_floor (at) values (now())');
      if (i >= 20) samples.push(performance.now() - started);
    }
    return { iterations, latencyMs: percentiles(samples) };
  } finally {
    await Promise.all([producer.disconnect(), client.end()]);
  }
}
