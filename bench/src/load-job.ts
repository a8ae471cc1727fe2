import type { TransactionParts } from './transaction-parts.js';
import type { OverloadSummary } from './overload.js';

/** What the orchestrator asks a load driver process to do. */
export interface LoadJob {
  readonly scenario: string;
  /** Requests alternate over these origins (one per API replica). */
  readonly origins: readonly string[];
  /**
   * logout: the token in the body; whoami and revoke-other-sessions (DELETE /auth/sessions): the
   * token in X-Session-Token; admin-sessions-page: GET /admin/sessions?page_size=250 with the
   * "token" as page_token and `adminKey` as the bearer; admin-audit-events: GET
   * /admin/audit/events?identity_id= the "token", with the key.
   */
  readonly request:
    'logout' | 'whoami' | 'revoke-other-sessions' | 'admin-sessions-page' | 'admin-audit-events';
  readonly adminKey?: string;
  /** One token per request in order ('unique'), or reused round-robin ('cycle'), or fresh unknown ones. */
  readonly tokens: { readonly file: string; readonly use: 'unique' | 'cycle' } | 'unknown';
  readonly expectStatus: number;
  /** Requests per second, open loop; undefined: closed loop at saturation. */
  readonly rate?: number;
  /** Requests in flight (closed loop), or connections kept open (open loop). */
  readonly connections: number;
  /**
   * Closed loop only: the concurrencies tried before the measured run, each for probeSeconds;
   * the one that gives the most answers a second is measured.
   */
  readonly concurrencies?: readonly number[];
  readonly probeSeconds?: number;
  /** Closed loop only: the processes whose CPU the measured run accounts for. */
  readonly cpuGroups?: Readonly<Record<string, readonly number[]>>;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /**
   * Open loop in phases instead of one rate: the overload step (2× saturation, then half of it).
   * 503s are answers here, not unexpected ones; the result carries `overload`.
   */
  readonly phases?: readonly { readonly rate: number; readonly seconds: number }[];
}

/** A step as the orchestrator describes it; the connections and durations are its settings'. */
export type DriveJob = Omit<LoadJob, 'connections' | 'seconds' | 'warmupSeconds'>;

export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface LoadResult {
  readonly scenario: string;
  readonly offeredRate: number | 'saturation';
  readonly seconds: number;
  readonly requests: number;
  /** Answers with the expected status a second (runs before 2026-12-04: every answer, 503s too). */
  readonly throughput: number;
  /** Milliseconds from when the request was due to its answer (open loop), or from its send. */
  readonly latencyMs: Latency;
  readonly unexpected: Readonly<Record<string, number>>;
  /** Closed loop: the requests in flight that were measured. */
  readonly concurrency?: number;
  /** Closed loop: CPU milliseconds per request, by process group (the load generator too). */
  readonly cpuMsPerRequest?: Readonly<Record<string, number>>;
  readonly overload?: OverloadSummary;
  /** logout-revoke: the projectors' transactions during the step, warm-up included. */
  readonly transactionParts?: TransactionParts;
}

export function percentiles(samples: Float64Array | number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    sorted.length === 0
      ? 0
      : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0)),
  };
}
