import type { ChildProcess } from 'node:child_process';
import {
  apiSpec,
  exampleSpec,
  freePort,
  killService,
  projectorSpec,
  startService as launch,
  stopService,
  waitReady,
} from '@session-authority/local-infra';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';

export type ServiceKind = 'auth-api' | 'projector' | 'example-resource';

export interface RunningService {
  readonly kind: ServiceKind;
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

export interface ServiceEnv {
  readonly kafkaBrokers: string;
  readonly databaseUrl: string;
  readonly topic: string;
  readonly extra?: Record<string, string>;
}

/** Starts a service from its build output with the stack's own launcher, and waits until it is ready. */
export async function startService(
  kind: ServiceKind,
  env: ServiceEnv,
  name: string = kind,
  /** 'alive' for a process expected to start unready, e.g. a projector with a halted partition. */
  until: 'ready' | 'alive' = 'ready',
): Promise<RunningService> {
  const port = await freePort();
  const adminPort = await freePort();
  const shared = {
    KAFKA_BROKERS: env.kafkaBrokers,
    DATABASE_URL: env.databaseUrl,
    KAFKA_TOPIC: env.topic,
    FEED_TOPIC: `${env.topic}.revocations`,
    SESSION_STATE_TOPIC: `${env.topic}.session-state`,
    ADMIN_API_KEY: ADMIN_KEY,
    PROJECTOR_GROUP_ID: `projector-${env.topic}`,
    LOG_LEVEL: 'info',
    ...env.extra,
  };
  const spec =
    kind === 'auth-api'
      ? apiSpec(name, { public: port, admin: adminPort }, shared)
      : kind === 'projector'
        ? projectorSpec(name, port, shared)
        : exampleSpec(name, port, shared);
  const service = launch(spec, { baseEnv: { PATH: process.env.PATH ?? '' }, keepOutput: true });
  try {
    await waitReady(service, 30_000, until);
  } catch (error) {
    await killService(service);
    throw new Error(`${name} did not become ${until}:\n${service.output()}`, { cause: error });
  }
  return {
    kind,
    name,
    child: service.child,
    port,
    adminPort,
    output: () => service.output(),
    exited: async () => {
      await service.exited;
    },
    stop: () => stopService(service, 30_000),
    kill: () => killService(service),
  };
}
