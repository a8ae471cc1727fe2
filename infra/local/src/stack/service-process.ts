import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceSpec {
  readonly name: string;
  readonly entry: string;
  readonly env: Record<string, string>;
  /** Where /health/alive and /health/ready answer, e.g. http://127.0.0.1:4433. */
  readonly healthUrl: string;
  /** Flags for node itself, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

export interface ServiceProcess {
  readonly spec: ServiceSpec;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Everything the process wrote so far, stdout and stderr, when started with `keepOutput`. */
  output(): string;
}

export interface StartOptions {
  /** Each line of output, e.g. to print it prefixed with the name. */
  readonly onLine?: (line: string) => void;
  /** Start from this environment instead of the caller's (tests pass a minimal one). */
  readonly baseEnv?: Record<string, string>;
  /** Keep all output in memory for output() (tests assert on logs; a long-running stack does not). */
  readonly keepOutput?: boolean;
}

/** The one launcher of services as their own Node processes: `npm start`, the bench and the tests. */
export function startService(spec: ServiceSpec, options: StartOptions = {}): ServiceProcess {
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.entry], {
    env: { ...(options.baseEnv ?? process.env), ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (options.keepOutput === true) output += `${line}\n`;
      options.onLine?.(line);
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  return { spec, child, exited, output: () => output };
}

/** Waits for /health/ready (or /health/alive, for a service expected to start unready). */
export async function waitReady(
  service: ServiceProcess,
  timeoutMs: number,
  probe: 'ready' | 'alive' = 'ready',
): Promise<void> {
  const url = `${service.spec.healthUrl}/health/${probe}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null)
      throw new Error(`${service.spec.name} exited before it was ${probe}:\n${service.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${service.spec.name} was not ${probe} within ${timeoutMs} ms (${url})`);
}

const running = (service: ServiceProcess) =>
  service.child.exitCode === null && service.child.signalCode === null;

/** SIGTERM, SIGKILL after `graceMs`, and wait for the exit. */
export async function stopService(service: ServiceProcess, graceMs: number): Promise<void> {
  if (!running(service)) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}

/** SIGKILL, as a crash would, and wait for the exit. */
export async function killService(service: ServiceProcess): Promise<void> {
  if (running(service)) service.child.kill('SIGKILL');
  await service.exited;
}
