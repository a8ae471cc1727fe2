import { createInterface } from 'node:readline';
import { spawnBenchProcess } from './child.js';

export interface ProbePosition {
  /** The sum over partitions of the next offset the probe will apply. */
  readonly applied: bigint;
  readonly lag: number;
  readonly at: number;
}

/** A downstream process that reports what it sees (propagation-consumer or revocations-probe). */
export interface Probe {
  /** The fields after READY. */
  readonly ready: Promise<string[]>;
  /** Each revocation seen: session id → epoch ms. */
  readonly seen: Map<string, number>;
  readonly positions: ProbePosition[];
  stop(): void;
}

export function startProbe(
  script: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Probe {
  const child = spawnBenchProcess(script, args, nodeFlags);
  const seen = new Map<string, number>();
  const positions: ProbePosition[] = [];
  const ready = new Promise<string[]>((resolve, reject) => {
    child.on('exit', (code) => {
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
    if (child.stdout === null) throw new Error(`no stdout from ${script}`);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [first = '', ...rest] = line.split(' ');
      if (first === 'READY') resolve(rest);
      else if (first === 'POSITION')
        positions.push({
          applied: BigInt(rest[0] ?? '0'),
          lag: Number(rest[1]),
          at: Number(rest[2]),
        });
      else if (rest[0] !== undefined) seen.set(first, Number(rest[0]));
    });
  });
  return { ready, seen, positions, stop: () => child.kill('SIGTERM') };
}
