import { readdirSync, readFileSync } from 'node:fs';

/** The processes of the stack whose CPU a step accounts for, by what they are. */
export type ProcessGroups = Readonly<Record<string, readonly number[]>>;

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process (all its threads), and of its children it has waited for. */
function ticksOf(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may hold spaces and parentheses: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of stat(5), 12-15 here.
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  } catch {
    return 0; // gone meanwhile
  }
}

/**
 * Every PostgreSQL process's CPU: backends come and go, and the postmaster's children times
 * keep what those that ended used.
 */
function postgresTicks(): number {
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') sum += ticksOf(entry);
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

/** CPU milliseconds used so far by each group, and by PostgreSQL. */
export function sampleCpuMs(groups: ProcessGroups): Record<string, number> {
  const toMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  const sample: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups))
    sample[name] = toMs(pids.reduce((sum, pid) => sum + ticksOf(pid), 0));
  sample.PostgreSQL = toMs(postgresTicks());
  return sample;
}

/** Per group, the CPU between two samples per unit of work, in ms × `scale`, to `decimals` places. */
function cpuPerUnit(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  units: number,
  scale: number,
  decimals: number,
): Record<string, number> {
  const factor = 10 ** decimals;
  const perUnit: Record<string, number> = {};
  for (const [name, ms] of Object.entries(after))
    perUnit[name] =
      Math.round((((ms - (before[name] ?? 0)) * scale) / Math.max(1, units)) * factor) / factor;
  return perUnit;
}

/** Per group, the CPU milliseconds between two samples per request served. */
export const cpuMsPerRequest = (
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  requests: number,
) => cpuPerUnit(before, after, requests, 1, 3);

/** Per group, the CPU microseconds between two samples per event handled, to a tenth. */
export const cpuMicrosPerEvent = (
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  events: number,
) => cpuPerUnit(before, after, events, 1000, 1);

/**
 * CPU of a step, per event, beside PostgreSQL's and the broker's. `this process` counts all its
 * threads (the audit rebuild's workers among them) and the children it waited for: a step that
 * runs a command in a process of its own names that command instead.
 */
export async function withCpuPerEvent<T>(
  brokerPids: readonly number[],
  step: () => Promise<T>,
  eventsOf: (result: T) => number,
  processName = 'this process',
): Promise<{ result: T; cpuMicrosPerEvent: Record<string, number> }> {
  const groups = {
    [processName]: [process.pid],
    ...(brokerPids.length === 0 ? {} : { broker: brokerPids }),
  };
  const before = sampleCpuMs(groups);
  const result = await step();
  return {
    result,
    cpuMicrosPerEvent: cpuMicrosPerEvent(before, sampleCpuMs(groups), eventsOf(result)),
  };
}
