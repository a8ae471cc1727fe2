import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { freePort, isAlive, localDir, repoRoot } from '@session-authority/local-infra';
import { createTestDatabase } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

it('the stack command starts everything in under 60 s and SIGTERM leaves no process behind', async () => {
  const db = await createTestDatabase();
  const ownKafka = inject('environmentSource').startsWith('local');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    STACK_NAME: `stack-test-${process.pid}`,
    DATABASE_URL: db.url,
    KAFKA_TOPIC_PARTITIONS: '3',
    KAFKA_PORT: String(await freePort()),
    // A port of its own: the one after KAFKA_PORT may be any process's.
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    PUBLIC_PORT: String(await freePort()),
    ADMIN_PORT: String(await freePort()),
    PROJECTOR_PORT: String(await freePort()),
    EXAMPLE_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    ...(ownKafka ? {} : { KAFKA_BROKERS: inject('kafkaBrokers') }),
  };
  const started = Date.now();
  const stack = spawn(process.execPath, [join(repoRoot, 'infra/local/dist/cli/stack.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  stack.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stack.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let passed = false;
  const exited = new Promise<number | null>((resolve) => stack.on('exit', (code) => resolve(code)));
  try {
    await waitFor(
      'STACK READY',
      () => output.includes('STACK READY') || stack.exitCode !== null,
      60_000,
      100,
    );
    expect(output).toContain('STACK READY');
    expect(Date.now() - started).toBeLessThan(60_000);

    const pids = [...output.matchAll(/\(pid (\d+)/g)].map((match) => Number(match[1]));
    // Kafka, 2 projectors, 2 API replicas, the example service
    expect(pids.length).toBe(ownKafka ? 6 : 5);
    expect(pids.every(isAlive)).toBe(true);

    const health = await fetch(`http://127.0.0.1:${env.PUBLIC_PORT}/health/ready`);
    expect(health.status).toBe(200);
    expect(output).toMatch(
      new RegExp(`example \\(pid \\d+\\) +http://127\\.0\\.0\\.1:${env.EXAMPLE_PORT}/`),
    );
    const example = await fetch(`http://127.0.0.1:${env.EXAMPLE_PORT}/health/ready`);
    expect(example.status).toBe(200);

    stack.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    passed = true;
  } finally {
    if (stack.exitCode === null) stack.kill('SIGKILL');
    await db.drop();
    // A failed run keeps its broker's data and log, which the failure message names.
    if (passed)
      rmSync(join(localDir, 'kafka', env.STACK_NAME ?? ''), { recursive: true, force: true });
  }
});
