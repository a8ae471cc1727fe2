import { availableParallelism } from 'node:os';
import type { BenchResult } from './bench-result.js';
import type { LoadResult } from './load-job.js';
import { SMALL_SEMI_SPACE_MIB } from './revocations-scenario.js';

/** A target an issue set, beside what this run measured; met or not, it is reported. */
export interface TargetCheck {
  readonly measure: string;
  readonly target: string;
  readonly result: string;
  readonly met: boolean;
}

/**
 * What each event cost in CPU, by process, beside what this machine's cores allow per event at a
 * target rate: while the sum is above it, the rate cannot be reached with the work as it is.
 */
export function cpuBudget(
  cpu: Readonly<Record<string, number>> | undefined,
  perSecond: number,
  cores = availableParallelism(),
): string {
  if (cpu === undefined) return '';
  const parts = Object.entries(cpu).map(([name, micros]) => `${name} ${micros}`);
  const sum = Object.values(cpu).reduce((a, b) => a + b, 0);
  const allowed = (cores * 1_000_000) / perSecond;
  return `; CPU µs per event: ${parts.join(', ')} (sum ${sum.toFixed(1)}); ${cores} cores allow ${allowed.toFixed(1)} at ${perSecond.toLocaleString('en')}/s`;
}

/** Beside a figure bound by reading the log: how fast the log is read with nothing done per record. */
export function readCeiling(logRead: BenchResult['logRead']): string {
  if (logRead === undefined) return '';
  const figure = (n: number) => n.toLocaleString('en');
  return ` (the log read with nothing done per record: kafkajs ${figure(logRead.kafkajsPerSecond)}, readLog ${figure(logRead.readLogPerSecond)} events/s)`;
}

function p99At(
  load: readonly LoadResult[],
  scenarioPrefix: string,
  rate: number,
  measure: string,
  maxMs: number,
): TargetCheck {
  const step = load.find((r) => r.scenario.startsWith(scenarioPrefix) && r.offeredRate === rate);
  const p99 = step?.latencyMs.p99;
  const clean = step !== undefined && Object.keys(step.unexpected).length === 0;
  return {
    measure,
    target: `p99 ≤ ${maxMs} ms`,
    result:
      p99 === undefined
        ? 'not run'
        : `p99 ${p99.toFixed(1)} ms${clean ? '' : ', with unexpected answers'}`,
    met: p99 !== undefined && clean && p99 <= maxMs,
  };
}

export function checkTargets(
  load: readonly LoadResult[],
  managementRate: number,
  verify: {
    readonly eventsPerSecond: number;
    readonly events: number;
    readonly cpuMicrosPerEvent?: Readonly<Record<string, number>>;
  },
  auditRows: number,
  logRead?: BenchResult['logRead'],
): TargetCheck[] {
  return [
    {
      measure: `npm run audit -- verify over a ${verify.events.toLocaleString('en')}-event log`,
      target: '≥ 100,000 events/s',
      result: `${verify.eventsPerSecond.toLocaleString('en')} events/s${readCeiling(logRead)}${cpuBudget(verify.cpuMicrosPerEvent, 100_000)}`,
      met: verify.eventsPerSecond >= 100_000,
    },
    p99At(
      load,
      'admin-audit-events',
      managementRate,
      `GET /admin/audit/events?identity_id=… over ${auditRows.toLocaleString('en')}+ rows, at ${managementRate} req/s`,
      20,
    ),
    p99At(
      load,
      'admin-sessions-page',
      managementRate,
      `GET /admin/sessions, a page of 250, at ${managementRate} req/s`,
      20,
    ),
    p99At(
      load,
      'revoke-other-sessions',
      managementRate,
      `DELETE /auth/sessions with 50 other sessions, at ${managementRate} req/s`,
      100,
    ),
  ];
}

/** The downstream client's targets. */
export function revocationTargets(
  revocations: BenchResult['revocations'],
  feedSize: number,
): TargetCheck[] {
  const { propagation, bootstrap, follow } = revocations;
  const complete = bootstrap.revoked === feedSize;
  return [
    {
      measure: 'propagation 204 → isRevoked in a revocations client in another process',
      target: 'p99 ≤ 20 ms',
      result: `p99 ${propagation.latencyMs.p99.toFixed(1)} ms (${propagation.missing} missing)`,
      met: propagation.missing === 0 && propagation.latencyMs.p99 <= 20,
    },
    {
      measure: `client bootstrap from a feed of ${feedSize.toLocaleString('en')} revoked sessions`,
      target: '≤ 5 s',
      result: `${bootstrap.seconds} s${complete ? '' : `, only ${bootstrap.revoked} held`}`,
      met: complete && bootstrap.seconds <= 5,
    },
    {
      measure: 'the revoked-session table of that client',
      target: '≤ 24 bytes a session',
      result: `${((bootstrap.tableMiB * 2 ** 20) / Math.max(bootstrap.revoked, 1)).toFixed(1)} bytes a session (${bootstrap.tableMiB} MiB)`,
      met: complete && (bootstrap.tableMiB * 2 ** 20) / bootstrap.revoked <= 24,
    },
    {
      measure: 'resident memory of that client (the feed read in a child process, which then ends)',
      target: '≤ 100 MB',
      result: `${bootstrap.rssMiB} MiB after GC (peak ${bootstrap.peakRssMiB}; at start ${bootstrap.startRssMiB}; table ${bootstrap.tableMiB})`,
      met: complete && bootstrap.rssMiB * 1.048576 <= 100,
    },
    {
      measure: `that client under node --max-semi-space-size=${SMALL_SEMI_SPACE_MIB}`,
      target: '≤ 100 MB',
      result: `${bootstrap.smallYoungGeneration.rssMiB} MiB after GC (${bootstrap.smallYoungGeneration.seconds} s)`,
      met: complete && bootstrap.smallYoungGeneration.rssMiB * 1.048576 <= 100,
    },
    {
      measure: 'a client following the log during the logout saturation step',
      target: 'lag at the end ≤ 1 s of events',
      result: `${follow.lagAtEndRecords} records = ${follow.lagAtEndSeconds} s (at most ${follow.maxLagSeconds} s during the step); caught up ${follow.catchUpMs} ms after`,
      met: follow.lagAtEndSeconds <= 1,
    },
  ];
}

/** The logout path's targets: throughput against the CRUD baseline, latency below saturation. */
export function logoutTargets(
  load: readonly LoadResult[],
  floor: { readonly p50: number; readonly p99: number },
  propagationP99: number,
): TargetCheck[] {
  const saturated = (scenario: string) =>
    load.find((r) => r.scenario === scenario && r.offeredRate === 'saturation');
  const logout = saturated('logout-revoke');
  const crud = saturated('crud-baseline');
  const whoami = saturated('whoami');
  const ratio =
    logout !== undefined && crud !== undefined ? logout.throughput / crud.throughput : 0;
  const ceiling = (logout?.throughput ?? 0) * 0.8;
  const below = load.filter(
    (r) =>
      r.scenario === 'logout-revoke' &&
      typeof r.offeredRate === 'number' &&
      r.offeredRate <= ceiling,
  );
  const worst = below.reduce((max, r) => Math.max(max, r.latencyMs.p99), 0);
  const at100 = load.find((r) => r.scenario === 'logout-revoke' && r.offeredRate === 100);
  const p50x = at100 === undefined ? Infinity : at100.latencyMs.p50 / floor.p50;
  const p99x = at100 === undefined ? Infinity : at100.latencyMs.p99 / floor.p99;
  return [
    {
      measure: 'logout-revoke at saturation, against the CRUD baseline',
      target: '≥ 0.8×',
      result: `${ratio.toFixed(2)}× (${logout?.throughput ?? 0} / ${crud?.throughput ?? 0} req/s)`,
      met: ratio >= 0.8,
    },
    {
      measure: `logout-revoke open loop up to 80 % of its saturation (${Math.round(ceiling)} req/s)`,
      target: 'p99 ≤ 50 ms at every rate',
      result:
        below.length === 0
          ? 'no step below it'
          : `worst p99 ${worst.toFixed(1)} ms over ${below.map((r) => r.offeredRate).join(', ')} req/s`,
      met: below.length > 0 && worst <= 50,
    },
    {
      measure: 'logout-revoke at 100 req/s against the floor',
      target: 'p50 ≤ 2× and p99 ≤ 5× the floor',
      result: `p50 ${p50x.toFixed(1)}×, p99 ${p99x.toFixed(1)}×`,
      met: p50x <= 2 && p99x <= 5,
    },
    {
      measure: 'whoami at saturation',
      target: 'p99 ≤ 10 ms',
      result: `p99 ${(whoami?.latencyMs.p99 ?? 0).toFixed(1)} ms`,
      met: whoami !== undefined && whoami.latencyMs.p99 <= 10,
    },
    {
      measure: 'propagation 204 → a bare consumer of the log',
      target: 'p99 ≤ 10 ms',
      result: `p99 ${propagationP99.toFixed(1)} ms`,
      met: propagationP99 <= 10,
    },
  ];
}

/** Under twice its saturation a replica answers fast 204s or fast 503s, and recovers at once. */
export function overloadTargets(o: NonNullable<BenchResult['overload']>): TargetCheck[] {
  const at = `logouts offered at 2× saturation (${o.offeredPerSecond} req/s)`;
  return [
    {
      measure: `${at}: the 503s`,
      target: 'p99 ≤ 50 ms',
      result:
        `${o.answered503} answered, p99 ${o.p99Ms503.toFixed(1)} ms` +
        (o.unknownTokenP99Ms === undefined
          ? ''
          : ` (403s at that rate, nothing admitted: p99 ${o.unknownTokenP99Ms.toFixed(1)} ms)`),
      met: o.p99Ms503 <= 50,
    },
    {
      measure: `${at}: the 204s`,
      target: 'p99 ≤ 250 ms',
      result: `${o.answered204} answered, p99 ${o.p99Ms204.toFixed(1)} ms`,
      met: o.answered204 > 0 && o.p99Ms204 <= 250,
    },
    {
      measure: 'after the overload, at half the saturation',
      target: 'latency back within 2 s',
      result: `${o.recoveredAfterMs} ms`,
      met: o.recoveredAfterMs <= 2000,
    },
  ];
}

/** The session-state step adds one produce to each batch: at most what the floor costs, at p50. */
export function stateStepTargets(
  step: BenchResult['stateStep'],
  floor: BenchResult['floor']['latencyMs'],
): TargetCheck[] {
  if (step === undefined) return [];
  const added = step.withMs.p50 - step.withoutMs.p50;
  return [
    {
      measure: `projector batch of one logout: what the session-state step adds, p50`,
      target: `≤ the floor's p50 (${floor.p50.toFixed(2)} ms)`,
      result: `+${added.toFixed(2)} ms (${step.withoutMs.p50.toFixed(2)} → ${step.withMs.p50.toFixed(2)} ms)`,
      met: added <= floor.p50,
    },
  ];
}
