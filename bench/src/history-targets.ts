import type { BenchResult } from './bench-result.js';
import { cpuBudget, readCeiling, type TargetCheck } from './targets.js';

/** What history costs (#23): the audit projection's rebuild, incremental verify, rebuild from state. */
export function auditRebuildTargets(
  rebuild: BenchResult['rebuild'],
  logRead?: BenchResult['logRead'],
): TargetCheck[] {
  if (rebuild.audit === undefined) return [];
  return [
    {
      measure: `rebuild of the audit projection from a ${rebuild.events.toLocaleString('en')}-record log`,
      target: '≥ 50,000 events/s',
      result: `${rebuild.audit.eventsPerSecond.toLocaleString('en')} events/s in ${rebuild.audit.seconds} s${readCeiling(logRead)}${cpuBudget(rebuild.audit.cpuMicrosPerEvent, 50_000)}`,
      met: rebuild.audit.eventsPerSecond >= 50_000,
    },
  ];
}

/** The issue's: 10,000 new records on a 1,000,000-record log verified in at most a second. */
export function checkpointTargets(since: BenchResult['verifySince']): TargetCheck[] {
  if (since === undefined) return [];
  return [
    {
      measure: `npm run audit -- verify --since-checkpoint: ${since.events.toLocaleString('en')} new records on a ${since.history.toLocaleString('en')}-record log`,
      target: '≤ 1 s, no differences',
      result:
        `${since.seconds} s${since.runs === undefined ? '' : ` (the median of ${since.runs.join(', ')})`}, ${since.differences} differences` +
        (since.commandSeconds === undefined
          ? ''
          : ` (the whole command: ${since.commandSeconds} s)`),
      met: since.seconds <= 1 && since.differences === 0,
    },
  ];
}

/**
 * The issue's: the sessions projection made from the state, at most 1.2× the replay of a log of
 * only its live sessions' issuances (here the whole log: nearly all of it is issuances).
 */
export function fromStateTargets(fromState: BenchResult['fromState']): TargetCheck[] {
  if (fromState === undefined) return [];
  const ratio = fromState.seconds / fromState.replaySeconds;
  return [
    {
      measure: `rebuild --from-state, ${fromState.live.toLocaleString('en')} live sessions, ${fromState.history.toLocaleString('en')}-record log`,
      target: '≤ 1.2× the replay of their issuances',
      result: `${fromState.seconds} s = ${ratio.toFixed(2)}× the replay's ${fromState.replaySeconds} s`,
      met: ratio <= 1.2,
    },
  ];
}
