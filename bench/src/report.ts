import type { LoadResult } from './load-job.js';
import type { BenchResult } from './bench-result.js';

const ms = (value: number) => value.toFixed(1);

function loadRow(result: LoadResult): string {
  const l = result.latencyMs;
  const errors = Object.entries(result.unexpected)
    .map(([status, count]) => `${count}×${status}`)
    .join(' ');
  return `| ${result.scenario} | ${result.offeredRate} | ${result.throughput} | ${ms(l.p50)} | ${ms(l.p95)} | ${ms(l.p99)} | ${errors || '0'} |`;
}

/** Per saturation step: what it ran at, and the CPU milliseconds each process group spent per request. */
function cpuTable(load: readonly LoadResult[]): string[] {
  const steps = load.filter((r) => r.cpuMsPerRequest !== undefined);
  if (steps.length === 0) return [];
  const groups = [...new Set(steps.flatMap((r) => Object.keys(r.cpuMsPerRequest ?? {})))];
  const cell = (value: number | undefined) => (value === undefined ? '' : value.toFixed(3));
  return [
    '',
    `| CPU ms per request at saturation | in flight | req/s | ${groups.join(' | ')} | total |`,
    `| --- | --- | --- | ${groups.map(() => '---').join(' | ')} | --- |`,
    ...steps.map((r) => {
      const cpu = r.cpuMsPerRequest ?? {};
      const total = Object.values(cpu).reduce((sum, ms) => sum + ms, 0);
      return `| ${r.scenario} | ${r.concurrency ?? ''} | ${r.throughput} | ${groups.map((g) => cell(cpu[g])).join(' | ')} | ${total.toFixed(3)} |`;
    }),
  ];
}

/** Per logout-revoke step: the projectors' transactions and the mean time of each of their parts. */
function partsTable(load: readonly LoadResult[]): string[] {
  const steps = load.filter((r) => r.transactionParts !== undefined);
  if (steps.length === 0) return [];
  const order = (part: string) => {
    const known = ['statements', 'revocation-feed', 'session-state', 'commit'].indexOf(part);
    return known === -1 ? Number.MAX_SAFE_INTEGER : known;
  };
  const parts = [
    ...new Set(steps.flatMap((r) => Object.keys(r.transactionParts?.meanMs ?? {}))),
  ].sort((a, b) => order(a) - order(b));
  return [
    '',
    `| projector transactions during logout-revoke, mean ms | offered req/s | transactions | ${parts.join(' | ')} |`,
    `| --- | --- | --- | ${parts.map(() => '---').join(' | ')} |`,
    ...steps.map((r) => {
      const t = r.transactionParts;
      const cells = parts.map((p) => {
        const mean = t?.meanMs[p];
        return mean === undefined ? '' : ms(mean);
      });
      return `| ${r.scenario} | ${r.offeredRate} | ${t?.transactions ?? 0} | ${cells.join(' | ')} |`;
    }),
  ];
}

function overloadRow(o: NonNullable<BenchResult['overload']>): string {
  return (
    `| logout overload: ${o.offeredPerSecond} req/s (2× saturation) for ${o.seconds} s, then ${o.recoveryPerSecond} req/s | ` +
    `${o.answered204} × 204 (p99 ${ms(o.p99Ms204)} ms), ${o.answered503} × 503 (p99 ${ms(o.p99Ms503)} ms), ${o.otherAnswers} other; ` +
    `back to the later step's p99 (${ms(o.recoveryP99Ms)} ms) ${o.recoveredAfterMs} ms after` +
    (o.unknownTokenP99Ms === undefined
      ? ''
      : `; unknown-token logouts at ${o.offeredPerSecond} req/s (403, no write): p99 ${ms(o.unknownTokenP99Ms)} ms`) +
    ' |'
  );
}

/** How the verify ran: as the command, in a fresh process (runs from 2026-12-04 11:00), or not. */
function commandPart(commandSeconds: number | undefined, otherwise: string): string {
  return commandSeconds === undefined
    ? `; ${otherwise}`
    : `; the command in a fresh process, start to exit: ${commandSeconds} s`;
}

function verifySinceRow(v: NonNullable<BenchResult['verifySince']>): string {
  return (
    `| audit verify --since-checkpoint: ${v.events} new records on a ${v.history}-record log | ` +
    `${v.seconds} s${v.runs === undefined ? '' : `, the median of ${v.runs.join(', ')} s`} (snapshot ${v.phases.snapshot} s, log ${v.phases.log} s, checks ${v.phases.checks} s; ${v.differences} differences` +
    `${commandPart(v.commandSeconds, 'in the bench process, after a full verify')}) |`
  );
}

/** CPU µs per event by process, when the run measured it. */
function cpuPart(
  cpu: Readonly<Record<string, number>> | undefined,
  label = 'CPU per event',
): string {
  if (cpu === undefined) return '';
  return `; ${label}: ${Object.entries(cpu)
    .map(([name, micros]) => `${name} ${micros} µs`)
    .join(', ')}`;
}

function auditPart(audit: BenchResult['rebuild']['audit']): string {
  if (audit === undefined) return '';
  return `; of it the audit projection by COPY ${audit.seconds} s = ${audit.eventsPerSecond} events/s${cpuPart(audit.cpuMicrosPerEvent)}`;
}

function fromStateRow(f: NonNullable<BenchResult['fromState']>): string {
  return (
    `| rebuild --from-state of the sessions projection: ${f.live} live sessions, ${f.history}-record log | ` +
    `${f.seconds} s (${f.stateRecords} state records, ${f.tailRecords} log records after its checkpoints); ` +
    `replay of the whole log ${f.replaySeconds} s; filling the state from the read model ${f.fillSeconds} s |`
  );
}

/** The Markdown tables of one run (docs/benchmarks.md shows the latest full one). */
export function renderMarkdown(result: BenchResult): string {
  const m = result.machine;
  const lines = [
    `Benchmark ${result.mode} run ${result.startedAt}: ${m.cpus}× ${m.cpuModel}, ${m.memoryGiB} GiB, ` +
      `Node ${m.node}, Kafka ${result.versions.kafka}, PostgreSQL ${result.versions.postgres}; ` +
      `load from a separate process on loopback, ${result.settings.warmupSeconds} s warm-up, ` +
      `${result.settings.seconds} s per step, seed ${result.settings.seed}, ` +
      `${result.settings.projectors} projector${result.settings.projectors === 1 ? '' : 's'} (projections ${result.settings.projections}).`,
    '',
    '| scenario | offered req/s | achieved req/s | p50 ms | p95 ms | p99 ms | unexpected answers |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.load.map(loadRow),
    ...cpuTable(result.load),
    ...partsTable(result.load),
    '',
    '| measure | value |',
    '| --- | --- |',
    `| propagation 204 → downstream consumer, p50 / p99 | ${ms(result.propagation.latencyMs.p50)} / ${ms(result.propagation.latencyMs.p99)} ms (${result.propagation.events} events, ${result.propagation.missing} missing) |`,
    `| propagation 204 → isRevoked in a revocations client, p50 / p99 | ${ms(result.revocations.propagation.latencyMs.p50)} / ${ms(result.revocations.propagation.latencyMs.p99)} ms (${result.revocations.propagation.events} events, ${result.revocations.propagation.missing} missing) |`,
    `| revocations client bootstrap, ${result.revocations.bootstrap.revoked} revoked | ${result.revocations.bootstrap.seconds} s, ${result.revocations.bootstrap.rssMiB} MiB resident (peak ${result.revocations.bootstrap.peakRssMiB}, at start ${result.revocations.bootstrap.startRssMiB}, table ${result.revocations.bootstrap.tableMiB}); with a 2 MiB semi-space ${result.revocations.bootstrap.smallYoungGeneration.rssMiB} MiB in ${result.revocations.bootstrap.smallYoungGeneration.seconds} s |`,
    `| revocations client following logout saturation | at most ${result.revocations.follow.maxLagRecords} records (${result.revocations.follow.maxLagSeconds} s of events) behind during the step; lag at the end ${result.revocations.follow.lagAtEndRecords} records (${result.revocations.follow.lagAtEndSeconds} s of events), caught up ${result.revocations.follow.catchUpMs} ms later |`,
    `| rebuild of ${result.rebuild.events} events | ${result.rebuild.eventsPerSecond} events/s (${result.rebuild.seconds} s${auditPart(result.rebuild.audit)}) |`,
    ...(result.logRead === undefined
      ? []
      : [
          `| that log read with nothing done per record: a kafkajs consumer / readLog | ${result.logRead.kafkajsPerSecond} / ${result.logRead.readLogPerSecond} events/s (${result.logRead.events} events${cpuPart(result.logRead.kafkajsCpuMicrosPerEvent, "the kafkajs consumer's CPU per event")}) |`,
        ]),
    `| audit verify of that log | ${result.verify.eventsPerSecond} events/s (${result.verify.seconds} s: snapshot ${result.verify.phases.snapshot} s, log ${result.verify.phases.log} s, checks ${result.verify.phases.checks} s; ${result.verify.differences} differences${cpuPart(result.verify.cpuMicrosPerEvent)}${commandPart(result.verify.commandSeconds, 'in the bench process')}) |`,
    ...(result.verifySince === undefined ? [] : [verifySinceRow(result.verifySince)]),
    ...(result.fromState === undefined ? [] : [fromStateRow(result.fromState)]),
    ...(result.stateStep === undefined
      ? []
      : [
          `| projector batch of one logout, without / with the session-state step, p50 / p99 | ${ms(result.stateStep.withoutMs.p50)} / ${ms(result.stateStep.withoutMs.p99)} ms → ${ms(result.stateStep.withMs.p50)} / ${ms(result.stateStep.withMs.p99)} ms (${result.stateStep.iterations} batches each) |`,
        ]),
    ...(result.overload === undefined ? [] : [overloadRow(result.overload)]),
    `| floor: Kafka produce acks=all + PostgreSQL commit, p50 / p99 | ${ms(result.floor.latencyMs.p50)} / ${ms(result.floor.latencyMs.p99)} ms |`,
    `| logout-revoke / CRUD baseline, throughput at saturation | ${result.ratios.throughputVsBaseline} |`,
    `| logout-revoke / CRUD baseline, p99 at saturation | ${result.ratios.p99VsBaseline} |`,
    `| logout-revoke p50 (lowest rate) / floor p50 | ${result.ratios.p50VsFloor} |`,
    '',
    '| target | goal | this run | met |',
    '| --- | --- | --- | --- |',
    ...result.targets.map(
      (t) => `| ${t.measure} | ${t.target} | ${t.result} | ${t.met ? 'yes' : 'no'} |`,
    ),
  ];
  return lines.join('\n') + '\n';
}
