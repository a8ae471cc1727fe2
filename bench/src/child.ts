import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@session-authority/local-infra';
import type { LoadJob, LoadResult } from './load-job.js';

export function spawnBenchProcess(
  script: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): ChildProcess {
  // kafkajs 2.2 arms negative timers, which Node 24 reports on every start; nothing is wrong.
  const flags = ['--disable-warning=TimeoutNegativeWarning', ...nodeFlags];
  return spawn(process.execPath, [...flags, join(repoRoot, 'bench/dist', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Runs a bench process to its end and returns what it printed on stdout. */
export function runBenchProcess(script: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnBenchProcess(script, args);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${script} exited with ${code}`));
    });
  });
}

/** One step of load in a load-driver process of its own; its result. */
export async function runLoadJob(job: LoadJob): Promise<LoadResult> {
  return JSON.parse(await runBenchProcess('load-driver.js', [JSON.stringify(job)])) as LoadResult;
}
