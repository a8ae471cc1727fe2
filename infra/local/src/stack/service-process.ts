import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceSpec {
  readonly name: string;
  readonly entry: string;
  readonly env: Record<string, string>;
  /** The URL that answers 200 once the service is ready. */
  readonly readyUrl: string;
  /** Flags for node itself, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

export interface ServiceProcess {
  readonly spec: ServiceSpec;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/** Starts one service as its own Node process, its output prefixed with its name. */
export function startService(spec: ServiceSpec, print: (line: string) => void): ServiceProcess {
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.entry], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      print(`[${spec.name}] ${line}`);
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  return { spec, child, exited };
}

export async function waitReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null)
      throw new Error(`${service.spec.name} exited before it was ready`);
    try {
      const response = await fetch(service.spec.readyUrl, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${service.spec.name} was not ready within ${timeoutMs} ms (${service.spec.readyUrl})`,
  );
}

export async function stopService(service: ServiceProcess, graceMs: number): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}
