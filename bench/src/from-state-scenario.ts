import { openStateTopic, rebuildFromState, rebuildReadModel } from '@session-authority/projector';
import type { ReadModelOrm } from '@session-authority/read-model';
import pg from 'pg';
import type { Logger } from 'pino';

export interface FromStateTimed {
  /** Records in the log, and sessions in the read model the state was filled from. */
  readonly history: number;
  readonly live: number;
  readonly stateRecords: number;
  readonly tailRecords: number;
  /** The sessions projection from the state and the log after it. */
  readonly seconds: number;
  /** The same projection replayed from the whole log (no audit projection), the reference. */
  readonly replaySeconds: number;
  /** Filling a new state topic from the read model (what an upgrade does once). */
  readonly fillSeconds: number;
}

const round = (seconds: number) => Math.round(seconds * 100) / 100;

async function dropSchemas(databaseUrl: string, schemas: readonly string[]) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}

/**
 * On the rebuild scenario's log and read model: fills a session-state topic from that read model,
 * times `rebuild --from-state` of the sessions projection, and the replay of the same projection
 * from the whole log beside it.
 */
export async function measureFromState(options: {
  brokers: readonly string[];
  databaseUrl: string;
  topic: string;
  orm: ReadModelOrm;
  schema: string;
  partitions: number;
  logger: Logger;
}): Promise<FromStateTimed> {
  const { brokers, databaseUrl, topic, logger } = options;
  const connection = { brokers, clientId: 'bench-from-state' };
  const stateTopic = `${topic}.session-state`;
  const fillStarted = performance.now();
  const writer = await openStateTopic({
    connection,
    orm: options.orm,
    schema: options.schema,
    topic,
    partitions: options.partitions,
    stateTopic,
    durability: { replicationFactor: 1, minInsyncReplicas: 1 },
    logger,
  });
  await writer.close();
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const stamp = Date.now();
  const fromSchema = `bench_from_state_${stamp}`;
  const replaySchema = `bench_replay_sessions_${stamp}`;
  try {
    const common = { brokers, topic, databaseUrl, logger, projections: ['sessions'] };
    const fromState = await rebuildFromState({ ...common, schema: fromSchema, stateTopic });
    const replay = await rebuildReadModel({ ...common, schema: replaySchema });
    const [live] = await options.orm.em
      .fork()
      .execute<{ n: string }[]>(`select count(*) as n from "${options.schema}".sessions`);
    return {
      history: fromState.logRecords,
      live: Number(live?.n ?? 0),
      stateRecords: fromState.stateRecords,
      tailRecords: fromState.tailRecords,
      seconds: round(fromState.seconds),
      replaySeconds: round(replay.seconds),
      fillSeconds: round(fillSeconds),
    };
  } finally {
    await dropSchemas(databaseUrl, [fromSchema, replaySchema]);
  }
}
