import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool, type Dispatcher } from 'undici';
import { percentiles, type LoadJob, type LoadResult } from './load-job.js';
import { summarizeOverload, type PhasedSample } from './overload.js';
import { cpuMsPerRequest, sampleCpuMs } from './process-cpu.js';

/**
 * A load generator in its own process. Open loop at a fixed rate: latency counts from when a
 * request was due, so a slow server cannot hide queueing (no coordinated omission). Closed loop
 * at saturation: `connections` requests always in flight.
 */
const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
const mostInFlight = Math.max(job.connections, ...(job.concurrencies ?? []));
const pools = job.origins.map(
  (origin) =>
    new Pool(origin, {
      connections: Math.ceil(mostInFlight / job.origins.length),
      pipelining: 1,
    }),
);
const tokens =
  job.tokens === 'unknown' ? [] : readFileSync(job.tokens.file, 'utf8').split('\n').filter(Boolean);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
let sent = 0;
const exhausted = () =>
  job.tokens !== 'unknown' && job.tokens.use === 'unique' && sent >= tokens.length;

function nextToken(): string {
  if (job.tokens === 'unknown') {
    return 'ory_st_' + [...randomBytes(32)].map((b) => ALPHABET[b % 62]).join('');
  }
  if (exhausted()) throw new Error('out of tokens');
  return tokens[sent % tokens.length] ?? '';
}

function requestOf(token: string): Dispatcher.RequestOptions {
  switch (job.request) {
    case 'logout':
      return {
        method: 'DELETE',
        path: '/auth/self-service/logout/api',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session_token: token }),
      };
    case 'whoami':
      return {
        method: 'GET',
        path: '/auth/sessions/whoami',
        headers: { 'x-session-token': token },
      };
    case 'revoke-other-sessions':
      return { method: 'DELETE', path: '/auth/sessions', headers: { 'x-session-token': token } };
    case 'admin-sessions-page':
      return {
        method: 'GET',
        path: `/admin/sessions?page_size=250&page_token=${encodeURIComponent(token)}`,
        headers: { authorization: `Bearer ${job.adminKey ?? ''}` },
      };
    case 'admin-audit-events':
      return {
        method: 'GET',
        path: `/admin/audit/events?identity_id=${token}`,
        headers: { authorization: `Bearer ${job.adminKey ?? ''}` },
      };
  }
}

async function send(): Promise<number> {
  const token = nextToken();
  const pool = pools[sent % pools.length] as Pool;
  sent += 1;
  // reset: false keeps the connection after a DELETE with a body, which undici would close.
  const response = await pool.request({ ...requestOf(token), reset: false });
  await response.body.dump();
  return response.statusCode;
}

const latencies: number[] = [];
const unexpected: Record<string, number> = {};
/** Measured answers with the expected status: the throughput counts these, not 503s. */
let expected = 0;
/** Whether the answer had the expected status. */
function record(status: number | string, startedAt: number, measuring: boolean): boolean {
  const ok = status === job.expectStatus;
  if (!measuring) return ok;
  latencies.push(performance.now() - startedAt);
  if (ok) expected += 1;
  else unexpected[String(status)] = (unexpected[String(status)] ?? 0) + 1;
  return ok;
}
const attempt = (startedAt: number, measuring: boolean) =>
  send().then(
    (status) => record(status, startedAt, measuring),
    (error: unknown) =>
      record(error instanceof Error ? error.message : 'error', startedAt, measuring),
  );

/**
 * Opens every connection of every pool, as a client of a busy service has them open when an
 * overload arrives: otherwise the step's first second measures the driver's own connects.
 */
async function openConnections(): Promise<void> {
  const perPool = Math.ceil(mostInFlight / pools.length);
  await Promise.all(
    pools.flatMap((pool) =>
      Array.from({ length: perPool }, async () => {
        const response = await pool.request({ method: 'GET', path: '/health/alive' });
        await response.body.dump();
      }),
    ),
  );
}

async function openLoop(rate: number): Promise<number> {
  const begin = performance.now();
  const measureFrom = begin + job.warmupSeconds * 1000;
  const end = measureFrom + job.seconds * 1000;
  const inFlight = new Set<Promise<boolean>>();
  let due = 0;
  for (;;) {
    const now = performance.now();
    if (now >= end || exhausted()) break;
    // Request k is due at begin + k/rate: send every request whose time has come.
    const target = Math.floor(((now - begin) / 1000) * rate) + 1;
    while (due < target) {
      const dueAt = begin + (due / rate) * 1000;
      due += 1;
      const promise = attempt(dueAt, dueAt >= measureFrom);
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  return job.seconds;
}

/**
 * `inFlight` requests always in flight until `until`, or until `most` were sent; how many
 * expected answers came back.
 */
async function keepInFlight(
  inFlight: number,
  until: number,
  { measureFrom = Number.POSITIVE_INFINITY, most = Number.POSITIVE_INFINITY } = {},
): Promise<number> {
  let answered = 0;
  const stopAt = sent + most;
  const worker = async () => {
    while (performance.now() < until && !exhausted() && sent < stopAt) {
      const startedAt = performance.now();
      if (await attempt(startedAt, startedAt >= measureFrom)) answered += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return answered;
}

/**
 * The concurrency, of those to try, that gets the most expected answers a second (each tried
 * briefly): a concurrency that a replica answers with fast 503s is not a higher saturation.
 */
async function bestConcurrency(): Promise<number> {
  const tried = job.concurrencies ?? [];
  // Of tokens each usable once, the probes take at most half: the measured run needs the rest
  // (a fast server used them all up in the probes and the warm-up, and measured nothing).
  const unique = job.tokens !== 'unknown' && job.tokens.use === 'unique';
  const most = unique ? Math.floor(tokens.length / 2 / Math.max(1, tried.length)) : undefined;
  let best = { inFlight: job.connections, rate: 0 };
  for (const inFlight of tried) {
    const started = performance.now();
    const until = started + (job.probeSeconds ?? 2) * 1000;
    const answered = await keepInFlight(inFlight, until, { most });
    const rate = answered / ((performance.now() - started) / 1000);
    if (rate > best.rate) best = { inFlight, rate };
  }
  return best.inFlight;
}

/** Open loop through job.phases, each at its own rate, without a pause between them. */
async function phasedLoop(phases: NonNullable<LoadJob['phases']>): Promise<PhasedSample[]> {
  const samples: PhasedSample[] = [];
  const inFlight = new Set<Promise<void>>();
  let phaseStart = performance.now();
  for (const [phase, { rate, seconds }] of phases.entries()) {
    const end = phaseStart + seconds * 1000;
    let due = 0;
    for (let now = performance.now(); now < end && !exhausted(); now = performance.now()) {
      const target = Math.floor(((now - phaseStart) / 1000) * rate) + 1;
      while (due < target) {
        const dueMs = (due / rate) * 1000;
        const dueAt = phaseStart + dueMs;
        due += 1;
        const promise = send().then(
          (status) => {
            samples.push({ phase, dueMs, latencyMs: performance.now() - dueAt, status });
          },
          (error: unknown) => {
            const status = error instanceof Error ? error.message : 'error';
            samples.push({ phase, dueMs, latencyMs: performance.now() - dueAt, status });
          },
        );
        inFlight.add(promise);
        void promise.finally(() => inFlight.delete(promise));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    phaseStart = end;
  }
  await Promise.all(inFlight);
  return samples;
}

let concurrency: number | undefined;
let cpu: Record<string, number> | undefined;

async function closedLoop(): Promise<number> {
  concurrency = await bestConcurrency();
  const begin = performance.now();
  const measureFrom = begin + job.warmupSeconds * 1000;
  const end = measureFrom + job.seconds * 1000;
  let before: Record<string, number> | undefined;
  let ownBefore: NodeJS.CpuUsage | undefined;
  const sampler = setTimeout(() => {
    before = sampleCpuMs(job.cpuGroups ?? {});
    ownBefore = process.cpuUsage();
  }, measureFrom - performance.now());
  await keepInFlight(concurrency, end, { measureFrom });
  clearTimeout(sampler);
  const seconds = (performance.now() - measureFrom) / 1000;
  if (seconds <= 0)
    throw new Error(`${job.scenario}: the tokens ran out in the warm-up; the step needs more`);
  if (before !== undefined && ownBefore !== undefined) {
    const own = process.cpuUsage(ownBefore);
    const after = {
      ...sampleCpuMs(job.cpuGroups ?? {}),
      'load generator': (own.user + own.system) / 1000,
    };
    cpu = cpuMsPerRequest({ ...before, 'load generator': 0 }, after, latencies.length);
  }
  return seconds;
}

let overload: LoadResult['overload'];
async function overloadLoop(phases: NonNullable<LoadJob['phases']>): Promise<number> {
  const samples = await phasedLoop(phases);
  overload = summarizeOverload(samples, phases);
  for (const sample of samples) latencies.push(sample.latencyMs);
  expected = samples.filter((sample) => sample.status === job.expectStatus).length;
  return phases.reduce((sum, phase) => sum + phase.seconds, 0);
}

// Without a warm-up to open them (the overload), the connections are opened before the step.
if (job.warmupSeconds === 0) await openConnections();
const seconds =
  job.phases !== undefined
    ? await overloadLoop(job.phases)
    : job.rate === undefined
      ? await closedLoop()
      : await openLoop(job.rate);
await Promise.all(pools.map((pool) => pool.close()));
const result: LoadResult = {
  scenario: job.scenario,
  offeredRate: job.rate ?? 'saturation',
  seconds: Math.round(seconds * 100) / 100,
  requests: latencies.length,
  throughput: Math.round(expected / seconds),
  latencyMs: percentiles(latencies),
  unexpected,
  ...(concurrency === undefined ? {} : { concurrency }),
  ...(cpu === undefined ? {} : { cpuMsPerRequest: cpu }),
  ...(overload === undefined ? {} : { overload }),
};
process.stdout.write(JSON.stringify(result) + '\n');
