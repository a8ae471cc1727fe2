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
  verify: { readonly eventsPerSecond: number; readonly events: number },
  auditRows: number,
): TargetCheck[] {
  return [
    {
      measure: `npm run audit -- verify over a ${verify.events.toLocaleString('en')}-event log`,
      target: '≥ 100,000 events/s',
      result: `${verify.eventsPerSecond.toLocaleString('en')} events/s`,
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
      target: '≤ 10 s',
      result: `${bootstrap.seconds} s${complete ? '' : `, only ${bootstrap.revoked} held`}`,
      met: complete && bootstrap.seconds <= 10,
    },
    {
      measure: 'resident memory of that client',
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
