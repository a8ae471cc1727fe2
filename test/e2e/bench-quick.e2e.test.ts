import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchResultSchema } from '@session-authority/bench';
import { describe, expect, inject, it } from 'vitest';
import { runScript } from '../support/run-script.js';

// Keeps the benchmark from rotting: it must run and write well-formed results. Never a timing.
describe('npm run bench -- --quick', () => {
  it('runs every scenario and writes a well-formed JSON result and Markdown table', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const { code, stdout, stderr } = await runScript(
      'bench/dist/run-bench.js',
      ['--quick', '--out', out],
      {
        ...(process.env as Record<string, string>),
        KAFKA_BROKERS: inject('kafkaBrokers'),
        DATABASE_URL: inject('postgresUrl'),
      },
    );
    expect(code, stderr).toBe(0);

    const result = benchResultSchema.parse(
      JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')),
    );
    expect(result.mode).toBe('quick');
    const scenarios = new Set(result.load.map((r) => r.scenario.replace(/ \(.*\)$/, '')));
    expect([...scenarios].sort()).toEqual([
      'admin-audit-events',
      'admin-sessions-page',
      'crud-baseline',
      'logout-repeat',
      'logout-revoke',
      'logout-unknown',
      'revoke-other-sessions',
      'whoami',
    ]);
    expect(result.targets.map((t) => t.result)).not.toContain('not run');
    expect(result.verify.differences).toBe(0);
    // verify --since-checkpoint ran as the audit CLI, in a process of its own: the records after
    // the checkpoint (50 logouts, 50 issuances on the quick run's log), none of them different.
    const since = result.verifySince;
    expect(since?.events).toBe(100);
    expect(since?.runs).toHaveLength(3);
    expect(since?.differences).toBe(0);
    expect(since?.commandSeconds).toBeGreaterThan(since?.seconds ?? Infinity);
    expect(result.verify.commandSeconds).toBeGreaterThan(result.verify.seconds);
    expect(stdout).toContain('; the command in a fresh process, start to exit:');
    // The rebuild's log read with nothing done: every record of it, through both readers.
    expect(result.logRead?.events).toBe(result.rebuild.events);
    expect(result.logRead?.kafkajsPerSecond).toBeGreaterThan(0);
    expect(result.logRead?.readLogPerSecond).toBeGreaterThan(0);
    expect(stdout).toContain('| that log read with nothing done per record');
    // The CPU each history step spent per event, PostgreSQL's beside that of the process that did
    // the work (the broker's too when the bench started it; here it is the tests' own).
    for (const [cpu, worker] of [
      [result.verify.cpuMicrosPerEvent, 'audit CLI'],
      [result.rebuild.audit?.cpuMicrosPerEvent, 'this process'],
      [result.logRead?.kafkajsCpuMicrosPerEvent, 'this process'],
    ] as const) {
      expect(cpu?.[worker], worker).toBeGreaterThan(0);
      expect(cpu?.PostgreSQL).toBeGreaterThanOrEqual(0);
    }
    // A replica may shed a write (a logout, a revocation) with a 503 when this machine is busy;
    // reads are never shed, and nothing else is expected.
    for (const step of result.load) {
      const { 503: shed, ...others } = step.unexpected;
      expect(others, step.scenario).toEqual({});
      const write = /^(logout|revoke)/.test(step.scenario);
      if (!write) expect(shed, step.scenario).toBeUndefined();
    }
    expect(result.propagation.missing).toBe(0);
    // The revocations client: every revocation reached it, it held the whole feed, it kept up.
    expect(result.revocations.propagation.missing).toBe(0);
    expect(result.revocations.bootstrap.revoked).toBe(10_000);
    expect(result.revocations.follow.catchUpMs).toBeLessThan(30_000);
    expect(stdout).toContain('| scenario | offered req/s |');
    // Each saturation step found its concurrency and says what each process spent on a request.
    const saturated = result.load.filter((r) => r.offeredRate === 'saturation');
    for (const step of saturated) {
      expect([16, 64], step.scenario).toContain(step.concurrency);
      const cpu = step.cpuMsPerRequest ?? {};
      // The broker is the test run's (KAFKA_BROKERS), not the bench's: it has no row here.
      expect(Object.keys(cpu).sort(), step.scenario).toEqual([
        'API replicas',
        'CRUD baseline',
        'PostgreSQL',
        'load generator',
        'projectors',
      ]);
      expect(cpu['load generator'], step.scenario).toBeGreaterThan(0);
    }
    const served = (name: string) =>
      saturated.find((r) => r.scenario === name)?.cpuMsPerRequest?.[
        name === 'crud-baseline' ? 'CRUD baseline' : 'API replicas'
      ] ?? 0;
    expect(served('logout-revoke')).toBeGreaterThan(0);
    expect(served('crud-baseline')).toBeGreaterThan(0);
    expect(stdout).toContain('| CPU ms per request at saturation |');
    // The overload step offered twice the saturation just measured; every answer was 204 or 503.
    const overload = result.overload;
    const revokeSaturation = saturated.find((r) => r.scenario === 'logout-revoke')?.throughput;
    expect(overload?.offeredPerSecond).toBe(Math.max(1, Math.round(2 * (revokeSaturation ?? 0))));
    expect(overload?.otherAnswers).toBe(0);
    expect((overload?.answered204 ?? 0) + (overload?.answered503 ?? 0)).toBeGreaterThan(0);
    expect(stdout).toContain('| logout overload:');
    // Beside it, what the machine answers at that rate when nothing is admitted as a write.
    expect(overload?.unknownTokenP99Ms).toBeGreaterThan(0);
    expect(stdout).toContain('(403, no write)');

    // It leaves no process behind.
    const pids = [...stderr.matchAll(/started, pid (\d+)/g)].map((match) => Number(match[1]));
    expect(pids.length).toBe(5);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }, 240_000);
});
