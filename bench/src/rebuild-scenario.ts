import { encodeEnvelope } from '@session-authority/events';
import { ensureTopic } from '@session-authority/event-log';
import { rebuildReadModel } from '@session-authority/projector';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { pino } from 'pino';
import { issuedEnvelope, makeSessions } from './seed.js';

/** Writes `events` issuances to a fresh topic, then times the projector's rebuild of all of them. */
export async function measureRebuild(
  brokers: readonly string[],
  databaseUrl: string,
  events: number,
): Promise<{ events: number; seconds: number; eventsPerSecond: number }> {
  const topic = `bench-rebuild-${Date.now()}`;
  await ensureTopic(
    { brokers, clientId: 'bench-rebuild' },
    { topic, partitions: 12, replicationFactor: 1 },
  );
  const producer = new Kafka({
    clientId: 'bench-rebuild',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  try {
    for (let i = 0; i < events; i += 10_000) {
      const records = makeSessions(Math.min(10_000, events - i)).map((s) =>
        encodeEnvelope(issuedEnvelope(s)),
      );
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({
          key: r.key,
          value: r.value,
          headers: r.headers as Record<string, string>,
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
  const schema = `bench_rebuild_${Date.now()}`;
  const result = await rebuildReadModel({
    brokers,
    topic,
    databaseUrl,
    schema,
    logger: pino({ level: 'warn' }),
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`drop schema "${schema}" cascade`);
  await client.end();
  return {
    events: result.records,
    seconds: Math.round(result.seconds * 100) / 100,
    eventsPerSecond: result.recordsPerSecond,
  };
}
