import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, repoRoot } from '@session-authority/local-infra';
import { waitFor } from './wait-for.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';

export interface RunningService {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly adminPort: number;
  /** Everything the process wrote, for assertions on logs. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** Resolves when the process has exited, sending nothing (a second SIGTERM would force it). */
  exited(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

const ENTRIES = {
  'auth-api': 'services/auth-api/dist/server.js',
  projector: 'services/projector/dist/main.js',
} as const;

export interface ServiceEnv {
  readonly kafkaBrokers: string;
  readonly databaseUrl: string;
  readonly topic: string;
  readonly extra?: Record<string, string>;
}

/** Starts a service from its build output as a separate process and waits until it is ready. */
export async function startService(
  kind: keyof typeof ENTRIES,
  env: ServiceEnv,
  name: string = kind,
  /** 'alive' for a process expected to start unready, e.g. a projector with a halted partition. */
  until: 'ready' | 'alive' = 'ready',
): Promise<RunningService> {
  const port = await freePort();
  const adminPort = await freePort();
  const child = spawn(process.execPath, [join(repoRoot, ENTRIES[kind])], {
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: env.kafkaBrokers,
      DATABASE_URL: env.databaseUrl,
      KAFKA_TOPIC: env.topic,
      ADMIN_API_KEY: ADMIN_KEY,
      PUBLIC_PORT: String(port),
      ADMIN_PORT: String(adminPort),
      PROJECTOR_PORT: String(port),
      PROJECTOR_GROUP_ID: `projector-${env.topic}`,
      INSTANCE_ID: name,
      LOG_LEVEL: 'info',
      ...env.extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const running: RunningService = {
    name,
    child,
    port,
    adminPort,
    output: () => output,
    exited: () => exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    await waitFor(
      `${name} to be ${until}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited:\n${output}`);
        const response = await fetch(`http://127.0.0.1:${port}/health/${until}`);
        return response.ok;
      },
      30_000,
      100,
    );
  } catch (error) {
    await running.kill();
    throw new Error(`${name} did not become ready:\n${output}`, { cause: error });
  }
  return running;
}
