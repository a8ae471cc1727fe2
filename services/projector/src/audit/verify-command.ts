import type { KeyObject } from 'node:crypto';
import { signCheckpoint } from '@session-authority/audit';
import type { KafkaConnection } from '@session-authority/event-log';
import { latestCheckpoint, saveCheckpoint, type ReadModelOrm } from '@session-authority/read-model';
import { differenceLine, type VerifyDifference } from './difference-line.js';
import { verifySinceCheckpoint, type CheckpointDifference } from './verify-since-checkpoint.js';
import { verifyAgainstLog, type VerifyReport } from './verify-log.js';

export interface VerifyCommand {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  readonly topic: string;
  readonly kafka: KafkaConnection;
  readonly logTopic: string | undefined;
  readonly sinceCheckpoint: boolean;
  /** Signs a checkpoint after a verification without differences; checks the one started from. */
  readonly key: KeyObject | undefined;
  readonly json: boolean;
}

const printJson = (value: unknown) =>
  console.log(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));

async function report(command: VerifyCommand): Promise<
  | {
      report: VerifyReport;
      checkpointDifferences: readonly CheckpointDifference[];
    }
  | undefined
> {
  const { orm, schema, topic, kafka } = command;
  const onProgress = (read: number, total: bigint) => {
    console.error(`verify: ${read} of ${total} records read`);
  };
  if (!command.sinceCheckpoint) {
    const logTopic = command.logTopic === undefined ? {} : { logTopic: command.logTopic };
    const full = await verifyAgainstLog({ orm, schema, topic, kafka, onProgress, ...logTopic });
    return { report: full, checkpointDifferences: [] };
  }
  const checkpoint = await latestCheckpoint(orm.em, schema, topic);
  if (checkpoint === undefined || command.key === undefined) {
    console.error(`no checkpoint is recorded for ${topic}: run a full verify with a signing key`);
    return undefined;
  }
  const since = await verifySinceCheckpoint({
    orm,
    schema,
    topic,
    kafka,
    onProgress,
    checkpoint,
    key: command.key,
  });
  return { report: since, checkpointDifferences: since.checkpointDifferences };
}

/** `npm run audit -- verify`: prints every difference; returns the exit code. */
export async function runVerify(command: VerifyCommand): Promise<number> {
  const outcome = await report(command);
  if (outcome === undefined) return 1;
  const { report: result, checkpointDifferences } = outcome;
  const lines: VerifyDifference[] = [
    ...checkpointDifferences.map((d) => ({ check: 'checkpoint' as const, ...d })),
    ...result.chain.map((d) => ({ check: 'chain' as const, ...d })),
    ...result.columns.map((d) => ({ check: 'columns' as const, ...d })),
    ...result.sessions.map((d) => ({ check: 'sessions' as const, ...d })),
  ];
  if (command.json) lines.forEach(printJson);
  else for (const d of lines) console.log(differenceLine(d));
  const rate = Math.round(result.records / Math.max(result.seconds, 0.001));
  const { snapshot, log, checks } = result.phases;
  console.error(
    `verified ${result.records} records in ${result.seconds.toFixed(2)} s (${rate} records/s; snapshot ${snapshot} s, log ${log} s, checks ${checks} s): ${lines.length === 0 ? 'no differences' : `${lines.length} differences`}`,
  );
  if (lines.length > 0) return 1;
  if (command.key === undefined) {
    console.error('no checkpoint recorded: no AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY is set');
  } else if ('problem' in result.checkpoint) {
    console.error(`no checkpoint recorded: ${result.checkpoint.problem}`);
  } else {
    const signed = signCheckpoint(result.checkpoint.body, command.key);
    await saveCheckpoint(command.orm.em, command.schema, command.topic, signed);
    const offsets = result.checkpoint.body.partitions.map((p) => p.auditOffset).join(',');
    console.error(`checkpoint recorded, signed by key ${signed.keyId}: offsets ${offsets}`);
  }
  return 0;
}
