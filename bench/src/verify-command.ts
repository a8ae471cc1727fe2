import { spawn } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from '@session-authority/local-infra';

export interface VerifyCommandRun {
  readonly records: number;
  /** The verification, as the command reports it. */
  readonly seconds: number;
  readonly phases: { snapshot: number; log: number; checks: number };
  readonly differences: number;
  /** The command from its start to its exit: node, its modules, its connections, and the rest. */
  readonly commandSeconds: number;
}

// What runVerify prints on stderr once it is done (services/projector/src/audit/verify-command.ts).
const SUMMARY =
  /verified (\d+) records in ([\d.]+) s \(\d+ records\/s; snapshot ([\d.]+) s, log ([\d.]+) s, checks ([\d.]+) s\): (?:no differences|(\d+) differences)/;

/**
 * `npm run audit -- verify [--since-checkpoint]` as an operator runs it: the audit CLI in a fresh
 * process (without npm and tsc before it), with a signing key: a full verify without differences
 * records a checkpoint, and --since-checkpoint starts from the last one recorded. The process is
 * waited for, so its CPU counts in this one's children's times.
 */
export async function runVerifyCommand(options: {
  readonly brokers: readonly string[];
  readonly databaseUrl: string;
  readonly schema: string;
  readonly topic: string;
  readonly key: KeyObject;
  readonly sinceCheckpoint: boolean;
}): Promise<VerifyCommandRun> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      join(repoRoot, 'services/projector/dist/audit-cli.js'),
      'verify',
      ...(options.sinceCheckpoint ? ['--since-checkpoint'] : []),
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        DATABASE_SCHEMA: options.schema,
        KAFKA_BROKERS: options.brokers.join(','),
        KAFKA_TOPIC: options.topic,
        AUDIT_SIGNING_KEY: options.key.export({ type: 'pkcs8', format: 'pem' }).toString(),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const commandSeconds = (performance.now() - started) / 1000;
  const summary = SUMMARY.exec(stderr);
  if (summary === null || (code !== 0 && code !== 1))
    throw new Error(`audit verify exited with ${code}: ${stderr.slice(-2000)}`);
  const [, records, seconds, snapshot, log, checks, differences] = summary;
  return {
    records: Number(records),
    seconds: Number(seconds),
    phases: { snapshot: Number(snapshot), log: Number(log), checks: Number(checks) },
    differences: differences === undefined ? 0 : Number(differences),
    commandSeconds: Math.round(commandSeconds * 100) / 100,
  };
}
