import { generateKeyPairSync } from 'node:crypto';
import { encodeEnvelope, type RawRecord } from '@session-authority/events';
import { ensureTopic } from '@session-authority/event-log';
import {
  projectToEnd,
  rebuildAuditProjection,
  rebuildReadModel,
} from '@session-authority/projector';
import {
  latestCheckpoint,
  openReadModel,
  saveCheckpoint,
  type ReadModelOrm,
} from '@session-authority/read-model';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import { pino } from 'pino';
import { measureFromState, type FromStateTimed } from './from-state-scenario.js';
import { measureLogReadCeiling, type LogReadCeiling } from './log-read-ceiling.js';
import { withCpuPerEvent } from './process-cpu.js';
import { issuedEnvelope, makeSessions, revokedEnvelope, type SeededSession } from './seed.js';
import { runVerifyCommand, type VerifyCommandRun } from './verify-command.js';

export interface Timed {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/** CPU microseconds per event: this process (all its threads), PostgreSQL, the broker. */
type CpuPerEvent = Readonly<Record<string, number>>;

export type RebuildTimed = Timed & {
  readonly audit?: {
    readonly seconds: number;
    readonly eventsPerSecond: number;
    readonly cpuMicrosPerEvent?: CpuPerEvent;
  };
};

export interface VerifyTimed extends Timed {
  readonly differences: number;
  readonly phases: { snapshot: number; log: number; checks: number };
  /** The command from its start to its exit. */
  readonly commandSeconds: number;
  readonly cpuMicrosPerEvent?: CpuPerEvent;
}

async function send(producer: Producer, topic: string, records: readonly RawRecord[]) {
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

const round = (seconds: number) => Math.round(seconds * 100) / 100;
const PARTITIONS = 12;
const SINCE_RUNS = 3;

/**
 * `verify --since-checkpoint` SINCE_RUNS times from the checkpoint the full verify recorded (each
 * run records a newer one, so it is recorded again before the next): the run of median time, the
 * most differences any run found, and the time of each.
 */
async function repeatedSince(
  orm: ReadModelOrm,
  command: Omit<Parameters<typeof runVerifyCommand>[0], 'sinceCheckpoint'>,
): Promise<{ median: VerifyCommandRun; runs: number[] }> {
  const checkpoint = await latestCheckpoint(orm.em, command.schema, command.topic);
  if (checkpoint === undefined) throw new Error('the full verify recorded no checkpoint');
  const runs: VerifyCommandRun[] = [];
  for (let i = 0; i < SINCE_RUNS; i++) {
    if (i > 0) await saveCheckpoint(orm.em, command.schema, command.topic, checkpoint);
    runs.push(await runVerifyCommand({ ...command, sinceCheckpoint: true }));
  }
  const median = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(SINCE_RUNS / 2)];
  if (median === undefined) throw new Error('no since run');
  const differences = Math.max(...runs.map((run) => run.differences));
  return { median: { ...median, differences }, runs: runs.map((run) => run.seconds) };
}

/**
 * Writes `events` issuances to a fresh topic, then times the projector's rebuild of all of them
 * (both projections), then how fast that log can be read at all (measureLogReadCeiling), then
 * `npm run audit -- verify` of that log against what the rebuild made, as an operator runs it (a
 * process of its own, with a signing key: it records a checkpoint); then appends 1 % more records
 * (half of them logouts of sessions issued before), applies them, and times `verify
 * --since-checkpoint` from that checkpoint the same way; then times `rebuild --from-state` of the
 * sessions projection against its replay (measureFromState).
 */
export async function measureRebuild(
  brokers: readonly string[],
  databaseUrl: string,
  events: number,
  /** The broker's processes, when this bench started it: their CPU is counted beside ours. */
  brokerPids: readonly number[] = [],
): Promise<{
  rebuild: RebuildTimed;
  logRead: LogReadCeiling;
  verify: VerifyTimed;
  verifySince: VerifyTimed & { history: number; runs: number[] };
  fromState: FromStateTimed;
}> {
  const topic = `bench-rebuild-${Date.now()}`;
  const kafka = { brokers, clientId: 'bench-rebuild' };
  await ensureTopic(kafka, { topic, partitions: PARTITIONS, replicationFactor: 1 });
  const producer = new Kafka({
    ...kafka,
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  const half = Math.max(50, Math.round(events / 200));
  const issuedBefore: SeededSession[] = [];
  try {
    for (let i = 0; i < events; i += 10_000) {
      const sessions = makeSessions(Math.min(10_000, events - i));
      if (issuedBefore.length < half) issuedBefore.push(...sessions.slice(0, half));
      await send(
        producer,
        topic,
        sessions.map((s) => encodeEnvelope(issuedEnvelope(s))),
      );
    }
    const schema = `bench_rebuild_${Date.now()}`;
    const logger = pino({ level: 'warn' });
    // rebuildReadModel's two steps one after the other, as it runs them, to sample each one's CPU:
    // the sessions and quarantine projections, then the audit projection's COPY.
    const result = await rebuildReadModel({
      brokers,
      topic,
      databaseUrl,
      schema,
      logger,
      projections: [],
    });
    const orm = await openReadModel({ url: databaseUrl, schema });
    try {
      const auditStarted = performance.now();
      const audit = await withCpuPerEvent(
        brokerPids,
        () => rebuildAuditProjection({ orm, schema, topic, connection: kafka }),
        (rows) => rows,
      );
      const auditSeconds = (performance.now() - auditStarted) / 1000;
      const logRead = await measureLogReadCeiling(brokers, topic, brokerPids);
      const key = generateKeyPairSync('ed25519').privateKey;
      const command = { brokers, databaseUrl, schema, topic, key };
      // It records the checkpoint the verify --since-checkpoint below starts from.
      const verifiedAt = await withCpuPerEvent(
        brokerPids,
        () => runVerifyCommand({ ...command, sinceCheckpoint: false }),
        (run) => run.records,
        'audit CLI',
      );
      const fresh = [
        ...issuedBefore.slice(0, half).map((s) => revokedEnvelope(s)),
        ...makeSessions(half).map((s) => issuedEnvelope(s)),
      ];
      await send(producer, topic, fresh.map(encodeEnvelope));
      const history = await projectToEnd({
        brokers,
        topic,
        databaseUrl,
        schema,
        logger,
        orm,
        connection: kafka,
      });
      const since = await repeatedSince(orm, command);
      const fromState = await measureFromState({
        brokers,
        databaseUrl,
        topic,
        orm,
        schema,
        partitions: PARTITIONS,
        logger,
      });
      const timed = ({ records, ...run }: VerifyCommandRun) => ({
        ...run,
        events: records,
        eventsPerSecond: Math.round(records / Math.max(run.seconds, 0.001)),
      });
      const seconds = result.seconds + auditSeconds;
      return {
        rebuild: {
          events: result.records,
          seconds: round(seconds),
          eventsPerSecond: Math.round(result.records / seconds),
          audit: {
            seconds: round(auditSeconds),
            eventsPerSecond: Math.round(audit.result / auditSeconds),
            cpuMicrosPerEvent: audit.cpuMicrosPerEvent,
          },
        },
        logRead,
        verify: { ...timed(verifiedAt.result), cpuMicrosPerEvent: verifiedAt.cpuMicrosPerEvent },
        verifySince: { ...timed(since.median), history, runs: since.runs },
        fromState,
      };
    } finally {
      await orm.close();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`drop schema "${schema}" cascade`);
      await client.end();
    }
  } finally {
    await producer.disconnect();
  }
}
