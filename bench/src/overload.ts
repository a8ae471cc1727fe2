import { percentiles } from './load-job.js';

/** One request of a phased open-loop run. */
export interface PhasedSample {
  readonly phase: number;
  /** Milliseconds from the start of its phase to when it was due. */
  readonly dueMs: number;
  readonly latencyMs: number;
  readonly status: number | string;
}

/** What the overload step reports (the bench JSON's `overload`). */
export interface OverloadSummary {
  readonly offeredPerSecond: number;
  readonly seconds: number;
  readonly answered204: number;
  readonly answered503: number;
  readonly otherAnswers: number;
  readonly p99Ms204: number;
  readonly p99Ms503: number;
  /** The rate offered after it (half the measured saturation). */
  readonly recoveryPerSecond: number;
  /** The steady p99 of the second half of the recovery phase. */
  readonly recoveryP99Ms: number;
  /** From the end of the overload until every later 250 ms window is back to that p99. */
  readonly recoveredAfterMs: number;
  /** The p99 of unknown-token logouts offered at the same rate for as long: the machine's best. */
  readonly unknownTokenP99Ms?: number;
}

const WINDOW_MS = 250;

/**
 * Phase 0 is the overload, phase 1 the recovery. "Back" means every window from then on has a p99
 * within 1.5× (or 5 ms) of the recovery phase's own steady p99.
 */
export function summarizeOverload(
  samples: readonly PhasedSample[],
  phases: readonly { readonly rate: number; readonly seconds: number }[],
): OverloadSummary {
  const [overload, recovery] = phases;
  if (overload === undefined || recovery === undefined) throw new Error('two phases expected');
  const during = samples.filter((s) => s.phase === 0);
  const after = samples.filter((s) => s.phase === 1);
  const p99Of = (list: readonly PhasedSample[]) => percentiles(list.map((s) => s.latencyMs)).p99;
  const ok = during.filter((s) => s.status === 204);
  const shed = during.filter((s) => s.status === 503);
  const recoveryMs = recovery.seconds * 1000;
  const steady = p99Of(after.filter((s) => s.dueMs >= recoveryMs / 2));
  const bound = Math.max(steady * 1.5, steady + 5);
  let recoveredAfterMs = 0;
  for (let start = 0; start < recoveryMs; start += WINDOW_MS) {
    const window = after.filter((s) => s.dueMs >= start && s.dueMs < start + WINDOW_MS);
    if (window.length > 0 && p99Of(window) > bound) recoveredAfterMs = start + WINDOW_MS;
  }
  return {
    offeredPerSecond: overload.rate,
    seconds: overload.seconds,
    answered204: ok.length,
    answered503: shed.length,
    otherAnswers: during.length - ok.length - shed.length,
    p99Ms204: p99Of(ok),
    p99Ms503: p99Of(shed),
    recoveryPerSecond: recovery.rate,
    recoveryP99Ms: steady,
    recoveredAfterMs,
  };
}
