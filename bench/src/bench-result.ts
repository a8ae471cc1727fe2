import { z } from 'zod';

const latency = z.object({
  p50: z.number().nonnegative(),
  p95: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  max: z.number().nonnegative(),
});

const propagation = z.object({
  events: z.number().int().positive(),
  missing: z.number().int().nonnegative(),
  latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }),
});

export const loadResultSchema = z.object({
  scenario: z.string(),
  offeredRate: z.union([z.number().positive(), z.literal('saturation')]),
  seconds: z.number().positive(),
  requests: z.number().int().positive(),
  throughput: z.number().nonnegative(),
  latencyMs: latency,
  unexpected: z.record(z.string(), z.number().int()),
  concurrency: z.number().int().positive().optional(),
  cpuMsPerRequest: z.record(z.string(), z.number().nonnegative()).optional(),
  transactionParts: z
    .object({
      transactions: z.number().int().nonnegative(),
      meanMs: z.record(z.string(), z.number().nonnegative()),
    })
    .optional(),
});

/** The JSON a run writes; the quick-mode test validates it with this schema. */
export const benchResultSchema = z.object({
  mode: z.enum(['full', 'quick']),
  startedAt: z.string(),
  machine: z.object({
    cpus: z.number().int().positive(),
    cpuModel: z.string(),
    memoryGiB: z.number().positive(),
    node: z.string(),
  }),
  versions: z.object({ kafka: z.string(), postgres: z.string() }),
  settings: z.object({
    seconds: z.number().positive(),
    warmupSeconds: z.number().nonnegative(),
    seed: z.number().int(),
    projectors: z.number().int().positive(),
    projections: z.string(),
  }),
  load: z.array(loadResultSchema).min(1),
  propagation,
  /** The downstream client. */
  revocations: z.object({
    propagation,
    bootstrap: z.object({
      revoked: z.number().int().nonnegative(),
      seconds: z.number().nonnegative(),
      rssMiB: z.number().positive(),
      peakRssMiB: z.number().positive(),
      tableMiB: z.number().positive(),
      startRssMiB: z.number().positive(),
      smallYoungGeneration: z.object({
        seconds: z.number().nonnegative(),
        rssMiB: z.number().positive(),
      }),
    }),
    follow: z.object({
      maxLagRecords: z.number().int().nonnegative(),
      maxLagSeconds: z.number().nonnegative(),
      lagAtEndRecords: z.number().int().nonnegative(),
      lagAtEndSeconds: z.number().nonnegative(),
      catchUpMs: z.number().nonnegative(),
    }),
  }),
  rebuild: z.object({
    events: z.number().int().positive(),
    seconds: z.number().positive(),
    eventsPerSecond: z.number().positive(),
    /** Of the rebuild, the audit projection's COPY load; runs before 2026-12-03 18:00 have none. */
    audit: z
      .object({
        seconds: z.number().positive(),
        eventsPerSecond: z.number().positive(),
        /** CPU µs per event by process; runs before 2026-12-04 05:30 have none. */
        cpuMicrosPerEvent: z.record(z.string(), z.number()).optional(),
      })
      .optional(),
  }),
  /** The log of the rebuild read with nothing done per record; runs before 2026-12-04 02:00 have none. */
  logRead: z
    .object({
      events: z.number().int().positive(),
      kafkajsPerSecond: z.number().positive(),
      /** CPU µs per event by process; runs before 2026-12-04 05:30 have none. */
      kafkajsCpuMicrosPerEvent: z.record(z.string(), z.number()).optional(),
      readLogPerSecond: z.number().positive(),
    })
    .optional(),
  verify: z.object({
    events: z.number().int().positive(),
    seconds: z.number().positive(),
    eventsPerSecond: z.number().positive(),
    differences: z.number().int().nonnegative(),
    phases: z.object({ snapshot: z.number(), log: z.number(), checks: z.number() }),
    /** CPU µs per event by process; runs before 2026-12-04 05:30 have none. */
    cpuMicrosPerEvent: z.record(z.string(), z.number()).optional(),
    /**
     * The command in a process of its own, from its start to its exit. Runs before 2026-12-04
     * 11:00 have none: they verified in the bench's process.
     */
    commandSeconds: z.number().positive().optional(),
  }),
  /** verify --since-checkpoint after 1 % more records; runs before 2026-12-03 12:00 have none. */
  verifySince: z
    .object({
      events: z.number().int().nonnegative(),
      history: z.number().int().positive(),
      seconds: z.number().positive(),
      eventsPerSecond: z.number().nonnegative(),
      differences: z.number().int().nonnegative(),
      phases: z.object({ snapshot: z.number(), log: z.number(), checks: z.number() }),
      /** As verify's; runs before 11:00 timed it in the bench's process, after a full verify. */
      commandSeconds: z.number().positive().optional(),
      /** Each run's seconds, the row's the median; runs before 2026-12-04 11:30 made one. */
      runs: z.array(z.number().positive()).optional(),
    })
    .optional(),
  /** rebuild --from-state of the sessions projection; runs before 2026-12-03 15:00 have none. */
  fromState: z
    .object({
      history: z.number().int().positive(),
      live: z.number().int().nonnegative(),
      stateRecords: z.number().int().nonnegative(),
      tailRecords: z.number().int().nonnegative(),
      seconds: z.number().positive(),
      replaySeconds: z.number().positive(),
      fillSeconds: z.number().nonnegative(),
    })
    .optional(),
  /** One-logout batches applied with and without the session-state step; none before 15:00. */
  stateStep: z
    .object({ iterations: z.number().int().positive(), withoutMs: latency, withMs: latency })
    .optional(),
  floor: z.object({ iterations: z.number().int().positive(), latencyMs: latency }),
  /**
   * Logouts offered at twice the measured saturation, then at half of it (see overload.ts); runs
   * before 2026-12-03 have none.
   */
  overload: z
    .object({
      offeredPerSecond: z.number().positive(),
      seconds: z.number().positive(),
      answered204: z.number().int().nonnegative(),
      answered503: z.number().int().nonnegative(),
      otherAnswers: z.number().int().nonnegative(),
      p99Ms204: z.number().nonnegative(),
      p99Ms503: z.number().nonnegative(),
      recoveryPerSecond: z.number().positive(),
      recoveryP99Ms: z.number().nonnegative(),
      recoveredAfterMs: z.number().nonnegative(),
      /**
       * The p99 of unknown-token logouts (403s: nothing admitted, no write) offered at the same
       * rate for as long: what the machine answers at that rate at best. Runs before 2026-12-04
       * have none.
       */
      unknownTokenP99Ms: z.number().nonnegative().optional(),
    })
    .optional(),
  ratios: z.object({
    throughputVsBaseline: z.number().positive(),
    p99VsBaseline: z.number().positive(),
    p50VsFloor: z.number().positive(),
  }),
  targets: z.array(
    z.object({ measure: z.string(), target: z.string(), result: z.string(), met: z.boolean() }),
  ),
});

export type BenchResult = z.infer<typeof benchResultSchema>;
