import type { LoadResult } from './load-job.js';

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
