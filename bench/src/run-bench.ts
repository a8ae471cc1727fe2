import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localDir } from '@session-authority/local-infra';
import { startBenchStack, type BenchStack } from './bench-stack.js';
import { benchResultSchema, type BenchResult } from './bench-result.js';
import { runLoadJob } from './child.js';
import {
  benchSettings,
  CONNECTIONS,
  MANAGEMENT_RATE,
  OPEN_LOOP_CONNECTIONS,
  OTHER_SESSIONS,
} from './bench-settings.js';
import { measureFloor } from './floor.js';
import { measureListings } from './listing-steps.js';
import { measureOverload } from './overload-step.js';
import type { DriveJob, LoadJob, LoadResult } from './load-job.js';
import { partsBetween, readPartTotals } from './transaction-parts.js';
import { startProbe } from './probe.js';
import { measurePropagation } from './propagation.js';
import { followDuring, measureBootstrap } from './revocations-scenario.js';
import { measureRebuild } from './rebuild-scenario.js';
import { measureStateStep } from './state-step-cost.js';
import { renderMarkdown } from './report.js';
import {
  makeIdentities,
  makeSessions,
  seedBaseline,
  seedEventSourced,
  seededRandomBytes,
  writeTokens,
  type SeededSession,
} from './seed.js';
import {
  stateStepTargets,
  checkTargets,
  logoutTargets,
  overloadTargets,
  revocationTargets,
} from './targets.js';
import { auditRebuildTargets, checkpointTargets, fromStateTargets } from './history-targets.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    out: { type: 'string' },
    seed: { type: 'string' },
    projectors: { type: 'string' },
    projections: { type: 'string' },
  },
});
// One projector by default, as in the earlier tables; npm start and compose run two.
const projectors = Number(values.projectors ?? 1);
// Both by default; `--projections sessions` measures what the audit projection costs.
const projections = values.projections ?? 'sessions,audit';
const quick = values.quick === true;
const seed = Number(values.seed ?? 20261124);
const { settings, sizes, budget } = benchSettings(quick);
const outDir = values.out ?? join(localDir, 'bench');
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Runs one step in a load process; a saturation step also finds its concurrency and its CPU. */
async function driveLoad(processes: LoadJob['cpuGroups'], job: DriveJob) {
  log(`- ${job.scenario} at ${job.rate ?? 'saturation'}`);
  const saturation =
    job.rate === undefined
      ? {
          concurrencies: settings.concurrencies,
          probeSeconds: settings.probeSeconds,
          cpuGroups: processes,
        }
      : {};
  const full: LoadJob = {
    ...job,
    ...saturation,
    connections: job.rate === undefined ? CONNECTIONS : OPEN_LOOP_CONNECTIONS,
    seconds: settings.seconds,
    warmupSeconds: settings.warmupSeconds,
  };
  return runLoadJob(full);
}

async function run(
  stack: BenchStack,
): Promise<Omit<BenchResult, 'mode' | 'startedAt' | 'machine'>> {
  const drive = (job: DriveJob) => driveLoad(stack.processes, job);
  const random = seededRandomBytes(seed);
  const steps = [...settings.rates, undefined];
  const revokeSets = steps.map((rate) => makeSessions(budget(rate), random));
  // The baseline answers up to four times as fast as a logout at saturation: its tokens, written
  // straight into its table, are cheap (runs before 2026-12-04 11:00 ran out after 2.6–8.3 s).
  const baselineSets = steps.map((rate) =>
    makeSessions(rate === undefined ? 3 * budget(rate) : budget(rate), random),
  );
  const whoamiSessions = makeSessions(sizes.whoami, random);
  const propagationSessions = makeSessions(sizes.propagation, random);
  const clientPropagationSessions = makeSessions(sizes.propagation, random);
  const followedSessions = makeSessions(budget(undefined), random);
  const overloadSessions = makeSessions(budget(undefined), random);
  // Each DELETE /auth/sessions uses up one identity: its caller and OTHER_SESSIONS others.
  const identities = makeIdentities(budget(MANAGEMENT_RATE), OTHER_SESSIONS + 1, random);
  const eventSourced: SeededSession[] = [
    ...revokeSets.flat(),
    ...whoamiSessions,
    ...propagationSessions,
    ...clientPropagationSessions,
    ...followedSessions,
    ...overloadSessions,
  ];
  const identitySessions = identities.length * (OTHER_SESSIONS + 1);
  log(
    `seeding ${eventSourced.length + identitySessions} sessions through the log and ${baselineSets.flat().length} for the baseline`,
  );
  await seedEventSourced(stack, eventSourced, identities);
  await seedBaseline(stack.databaseUrl, baselineSets.flat());

  const load: LoadResult[] = [];
  const tokenDir = join(outDir, 'tokens');
  for (const [i, rate] of steps.entries()) {
    const common = {
      request: 'logout' as const,
      expectStatus: 204,
      ...(rate === undefined ? {} : { rate }),
    };
    const before = await readPartTotals(stack.projectorMetrics);
    const revoked = await drive({
      ...common,
      scenario: 'logout-revoke',
      origins: stack.apiOrigins,
      tokens: { file: writeTokens(tokenDir, `revoke-${i}`, revokeSets[i] ?? []), use: 'unique' },
    });
    const after = await readPartTotals(stack.projectorMetrics);
    load.push({ ...revoked, transactionParts: partsBetween(before, after) });
    load.push(
      await drive({
        ...common,
        scenario: 'crud-baseline',
        origins: stack.baselineOrigins,
        tokens: {
          file: writeTokens(tokenDir, `baseline-${i}`, baselineSets[i] ?? []),
          use: 'unique',
        },
      }),
    );
  }
  // Twice the saturation just measured, then half of it: fast 204s or fast 503s, then recovery.
  const saturation = load.find(
    (r) => r.scenario === 'logout-revoke' && r.offeredRate === 'saturation',
  )?.throughput;
  const overloadRate = Math.max(1, Math.round(2 * (saturation ?? 0)));
  log(`- logout overload at ${overloadRate} req/s, then ${Math.round(overloadRate / 4)}`);
  const overload = await measureOverload(stack, {
    rate: overloadRate,
    seconds: settings.overloadSeconds,
    tokensFile: writeTokens(tokenDir, 'overload', overloadSessions),
    connections: OPEN_LOOP_CONNECTIONS,
  });

  // The first open-loop step sent about rate × its duration logouts: those sessions are revoked.
  const firstStepSent = Math.floor(
    (settings.rates[0] ?? 0) * (settings.seconds + settings.warmupSeconds) * 0.95,
  );
  const revokedFile = writeTokens(
    tokenDir,
    'revoked',
    (revokeSets[0] ?? []).slice(0, firstStepSent),
  );
  load.push(
    await drive({
      scenario: 'logout-repeat',
      origins: stack.apiOrigins,
      request: 'logout',
      tokens: { file: revokedFile, use: 'cycle' },
      expectStatus: 204,
    }),
    await drive({
      scenario: 'logout-unknown',
      origins: stack.apiOrigins,
      request: 'logout',
      tokens: 'unknown',
      expectStatus: 403,
    }),
    await drive({
      scenario: 'whoami',
      origins: stack.apiOrigins,
      request: 'whoami',
      tokens: { file: writeTokens(tokenDir, 'whoami', whoamiSessions), use: 'cycle' },
      expectStatus: 200,
    }),
  );

  load.push(
    await drive({
      scenario: `revoke-other-sessions (${OTHER_SESSIONS} others)`,
      origins: stack.apiOrigins,
      request: 'revoke-other-sessions',
      rate: MANAGEMENT_RATE,
      tokens: {
        file: writeTokens(
          tokenDir,
          'callers',
          identities.map(({ sessions }) => sessions[0] ?? { sessionId: '', token: '' }),
        ),
        use: 'unique',
      },
      expectStatus: 200,
    }),
  );

  // Saturation again, with a revocations client in its own process following the log: a step
  // of its own, so that the client's share of the two cores stays out of the rows above.
  const followed = await followDuring(stack.brokers, stack.topics, () =>
    drive({
      scenario: 'logout-revoke (a revocations client following)',
      origins: stack.apiOrigins,
      request: 'logout',
      tokens: { file: writeTokens(tokenDir, 'revoke-followed', followedSessions), use: 'unique' },
      expectStatus: 204,
    }),
  );
  load.push(followed.result);

  log('- propagation');
  const brokerList = stack.brokers.join(',');
  const propagation = await measurePropagation(
    startProbe('propagation-consumer.js', [brokerList, stack.topic]),
    stack.apiOrigins,
    propagationSessions,
    sizes.propagationRate,
  );
  log('- propagation to a revocations client');
  const clientPropagation = await measurePropagation(
    startProbe('revocations-probe.js', [brokerList, stack.topic, stack.topics.feed]),
    stack.apiOrigins,
    clientPropagationSessions,
    sizes.propagationRate,
  );
  log(`- revocations client bootstrap from a feed of ${sizes.feed} revoked sessions`);
  const bootstrap = await measureBootstrap(stack.brokers, sizes.feed);
  const revocations = { propagation: clientPropagation, bootstrap, follow: followed.follow };
  log(`- floor (${sizes.floor} produce + commit)`);
  const floor = await measureFloor(stack.brokers, stack.databaseUrl, sizes.floor);
  log(`- the session-state step's cost (${sizes.floor} one-logout batches, with and without)`);
  const stateStep = await measureStateStep(stack.brokers, stack.databaseUrl, sizes.floor);
  log(`- rebuild of ${sizes.rebuild} events`);
  const { rebuild, logRead, verify, verifySince, fromState } = await measureRebuild(
    stack.brokers,
    stack.databaseUrl,
    sizes.rebuild,
    stack.processes.broker ?? [],
  );

  // Last, as its rows are not in the log: 'listed' more sessions straight into the read model.
  load.push(...(await measureListings(stack, drive, { listed: sizes.listed, tokenDir, random })));

  const saturated = (scenario: string) =>
    load.find((r) => r.scenario === scenario && r.offeredRate === 'saturation');
  const es = saturated('logout-revoke');
  const crud = saturated('crud-baseline');
  const lowest = load.find((r) => r.scenario === 'logout-revoke');
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || b === 0 ? 0 : Math.round((a / b) * 100) / 100;
  return {
    versions: stack.versions,
    settings: {
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      seed,
      projectors,
      projections,
    },
    load,
    propagation,
    revocations,
    rebuild,
    logRead,
    verify,
    verifySince,
    fromState,
    stateStep,
    floor,
    overload,
    ratios: {
      throughputVsBaseline: ratio(es?.throughput, crud?.throughput),
      p99VsBaseline: ratio(es?.latencyMs.p99, crud?.latencyMs.p99),
      p50VsFloor: ratio(lowest?.latencyMs.p50, floor.latencyMs.p50),
    },
    targets: [
      ...logoutTargets(load, floor.latencyMs, propagation.latencyMs.p99),
      ...checkTargets(load, MANAGEMENT_RATE, verify, sizes.listed, logRead),
      ...auditRebuildTargets(rebuild, logRead),
      ...checkpointTargets(verifySince),
      ...fromStateTargets(fromState),
      ...stateStepTargets(stateStep, floor.latencyMs),
      ...revocationTargets(revocations, sizes.feed),
      ...overloadTargets(overload),
    ],
  };
}

const startedAt = new Date().toISOString();
log(`starting the bench stack (${quick ? 'quick' : 'full'} mode)`);
const stack = await startBenchStack(
  projectors,
  (line) => {
    log(`  ${line}`);
  },
  projections,
);
let measured: Awaited<ReturnType<typeof run>>;
try {
  measured = await run(stack);
} finally {
  await stack.stop();
}
const result = benchResultSchema.parse({
  mode: quick ? 'quick' : 'full',
  startedAt,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  },
  ...measured,
});
const markdown = renderMarkdown(result);
mkdirSync(outDir, { recursive: true });
const stamp = startedAt.replace(/[:.]/g, '-');
writeFileSync(join(outDir, `bench-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(outDir, `bench-${stamp}.md`), markdown);
writeFileSync(join(outDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
process.stdout.write(markdown);
