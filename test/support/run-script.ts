import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, repoRoot } from '@session-authority/local-infra';
import { ADMIN_KEY } from './service-process.js';

export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one of the repo's built scripts as its own process, to its end. */
export function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, script), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs a service's entry point with its settings and free ports, to its end: for services that
 * are expected to refuse to start. Returns the run and its `fatal` log lines.
 */
export async function runServiceToExit(
  entry:
    | 'services/projector/dist/main.js'
    | 'services/auth-api/dist/server.js'
    | 'infra/local/dist/cli/migrate.js',
  env: Record<string, string>,
): Promise<ScriptRun & { output: string; fatal: string[] }> {
  const run = await runScript(entry, [], {
    PATH: process.env.PATH ?? '',
    ADMIN_API_KEY: ADMIN_KEY,
    PUBLIC_PORT: String(await freePort()),
    ADMIN_PORT: String(await freePort()),
    PROJECTOR_PORT: String(await freePort()),
    ...env,
  });
  const output = run.stdout + run.stderr;
  const fatal = output.split('\n').filter((line) => line.includes('"level":60'));
  return { ...run, output, fatal };
}
