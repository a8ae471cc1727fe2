import { encodeEnvelope } from '@session-authority/events';
import { ensureTopic } from '@session-authority/event-log';
import { rebuildReadModel, verifyAgainstLog } from '@session-authority/projector';
import { openReadModel } from '@session-authority/read-model';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { pino } from 'pino';
import { issuedEnvelope, makeSessions } from './seed.js';

export interface Timed {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/**
 * Writes `events` issuances to a fresh topic, then times the projector's rebuild of all of them
 * (both projections), then `npm run audit -- verify` of that log against what the rebuild made.
 */
export async function measureRebuild(
  brokers: readonly string[],
  databaseUrl: string,
  events: number,
): Promise<{
  rebuild: Timed;
  verify: Timed & {
    differences: number;
    phases: { snapshot: number; log: number; checks: number };
  };
}> {
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
  const orm = await openReadModel({ url: databaseUrl, schema });
  let verified;
  try {
    verified = await verifyAgainstLog({
      orm,
      schema,
      topic,
      kafka: { brokers, clientId: 'bench-verify' },
    });
  } finally {
    await orm.close();
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`drop schema "${schema}" cascade`);
  await client.end();
  const round = (seconds: number) => Math.round(seconds * 100) / 100;
  return {
    rebuild: {
      events: result.records,
      seconds: round(result.seconds),
      eventsPerSecond: result.recordsPerSecond,
    },
    verify: {
      events: verified.records,
      seconds: round(verified.seconds),
      eventsPerSecond: Math.round(verified.records / verified.seconds),
      differences: verified.chain.length + verified.sessions.length,
      phases: verified.phases,
    },
  };
}
