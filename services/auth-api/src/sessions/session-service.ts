import { randomBytes, randomUUID } from 'node:crypto';
import {
  SESSION_ISSUED_V1,
  SESSION_REVOKED_V1,
  type Actor,
  type EventEnvelope,
  type SessionRevokedV1,
} from '@session-authority/events';
import type { EventAppender, LogPosition } from '@session-authority/event-log';
import type { ProjectionWatermark, SessionReader } from '@session-authority/read-model';
import {
  decideIssue,
  decideLogout,
  decideRevoke,
  decideRevokeIdentitySessions,
  generateToken,
  tokenDigest,
  type DecisionContext,
  type RevokeDecision,
  type SessionState,
} from '@session-authority/sessions';
import type { ApiMetrics } from '../api-metrics.js';

/** The answer cannot be confirmed now; the client may retry (every command here is idempotent). */
export class UnavailableError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause: unknown },
  ) {
    super(reason, options);
    this.name = 'UnavailableError';
  }
}

export interface SessionServiceDeps {
  readonly reader: SessionReader;
  readonly appender: EventAppender;
  readonly watermark: Pick<ProjectionWatermark, 'waitFor'>;
  readonly metrics: ApiMetrics;
  /** The CloudEvents source of this replica. */
  readonly source: string;
  readonly consistencyWaitMs: number;
  readonly now?: () => Date;
}

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'unknown-session';

export interface IssuedSession {
  readonly session: SessionState;
  readonly token: string;
}

const READ_MODEL_DOWN = 'The session store is unavailable; retry the request.';
const LOG_DOWN = 'The event log is unavailable; retry the request.';
const NOT_VISIBLE =
  'The change is recorded but not yet visible to every replica; retry the request.';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const TIMED_OUT = Symbol('timed out');
const RECENTLY_REVOKED_MAX = 10_000;

/**
 * The write side of the authority. Every change is an event appended to the log; a command
 * answers only once the log has it (acks=all) AND the projection has applied it, so that
 * every replica's read of PostgreSQL already agrees with the answer.
 */
export class SessionService {
  readonly #deps: SessionServiceDeps;
  readonly #now: () => Date;
  /** Concurrent revocations of one session in this replica share one event and one wait. */
  readonly #inFlight = new Map<string, Promise<RevokeOutcome>>();
  /** Sessions this replica revoked lately, for requests that read the session before that. */
  readonly #recentlyRevoked = new Set<string>();

  constructor(deps: SessionServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async findByToken(token: string): Promise<SessionState | null> {
    return this.#read(() => this.#deps.reader.findByTokenDigest(tokenDigest(token)));
  }

  async findById(sessionId: string): Promise<SessionState | null> {
    return this.#read(() => this.#deps.reader.findById(sessionId));
  }

  async listByIdentity(identityId: string): Promise<SessionState[]> {
    return this.#read(() => this.#deps.reader.listByIdentity(identityId));
  }

  async logout(token: string, requestId: string): Promise<RevokeOutcome> {
    const session = await this.findByToken(token);
    if (session === null) return 'unknown-session';
    return this.#revokeOnce(
      session.id,
      (current, context) => decideLogout(current, context),
      requestId,
      session,
    );
  }

  async revokeById(sessionId: string, actor: Actor, requestId: string): Promise<RevokeOutcome> {
    return this.#revokeOnce(
      sessionId,
      (current, context) => decideRevoke(current, { reason: 'admin', actor }, context),
      requestId,
    );
  }

  /** 'unknown-session' when the identity never had a session. */
  async revokeIdentity(
    identityId: string,
    actor: Actor,
    requestId: string,
  ): Promise<RevokeOutcome> {
    const sessions = await this.listByIdentity(identityId);
    const decision = decideRevokeIdentitySessions(sessions, actor, this.#context(requestId));
    if (decision.kind === 'no-sessions') return 'unknown-session';
    if (decision.events.length === 0) return 'already-revoked';
    await this.#publish(decision.events.map((data) => this.#revokedEnvelope(data)));
    return 'revoked';
  }

  async issue(
    identityId: string,
    lifespanMs: number,
    actor: Actor,
    requestId: string,
  ): Promise<IssuedSession> {
    const token = generateToken(randomBytes);
    const data = decideIssue(
      { sessionId: randomUUID(), identityId, tokenSha256: tokenDigest(token), lifespanMs, actor },
      this.#context(requestId),
    );
    await this.#publish([this.#envelope(SESSION_ISSUED_V1, data.session_id, data.issued_at, data)]);
    return {
      token,
      session: {
        id: data.session_id,
        identityId,
        tokenSha256: data.token_sha256,
        issuedAt: new Date(data.issued_at),
        authenticatedAt: new Date(data.authenticated_at),
        expiresAt: new Date(data.expires_at),
        revokedAt: null,
        revokeReason: null,
      },
    };
  }

  /**
   * Decides inside the single flight. A session read just before (logout) is used as is, unless
   * this replica revoked it since: then the answer is 'already-revoked' and nothing is appended.
   */
  async #revokeOnce(
    sessionId: string,
    decide: (session: SessionState | null, context: DecisionContext) => RevokeDecision,
    requestId: string,
    justRead?: SessionState,
  ): Promise<RevokeOutcome> {
    const pending = this.#inFlight.get(sessionId);
    if (pending !== undefined) return pending;
    if (this.#recentlyRevoked.has(sessionId)) return Promise.resolve('already-revoked');
    const work = (async (): Promise<RevokeOutcome> => {
      const session = justRead ?? (await this.findById(sessionId));
      const decision = decide(session, this.#context(requestId));
      if (decision.kind !== 'revoke') return decision.kind;
      await this.#publish([this.#revokedEnvelope(decision.event)]);
      this.#rememberRevoked(sessionId);
      return 'revoked';
    })().finally(() => this.#inFlight.delete(sessionId));
    this.#inFlight.set(sessionId, work);
    return work;
  }

  #rememberRevoked(sessionId: string): void {
    this.#recentlyRevoked.add(sessionId);
    if (this.#recentlyRevoked.size > RECENTLY_REVOKED_MAX) {
      const oldest = this.#recentlyRevoked.values().next().value;
      if (oldest !== undefined) this.#recentlyRevoked.delete(oldest);
    }
  }

  #revokedEnvelope(data: SessionRevokedV1): EventEnvelope {
    this.#deps.metrics.revocations.inc({ reason: data.reason });
    return this.#envelope(SESSION_REVOKED_V1, data.session_id, data.revoked_at, data);
  }

  #envelope(type: string, subject: string, time: string, data: unknown): EventEnvelope {
    return { id: randomUUID(), source: this.#deps.source, type, time, subject, data };
  }

  #context(requestId: string): DecisionContext {
    return { now: this.#now(), requestId };
  }

  /** Appends, then waits until the projection has applied every position, all within the wait budget. */
  async #publish(envelopes: EventEnvelope[]): Promise<void> {
    const deadline = Date.now() + this.#deps.consistencyWaitMs;
    let positions: LogPosition[] | typeof TIMED_OUT;
    try {
      positions = await withTimeout(
        this.#deps.appender.append(envelopes),
        this.#deps.consistencyWaitMs,
      );
    } catch (error) {
      throw new UnavailableError(LOG_DOWN, { cause: error });
    }
    if (positions === TIMED_OUT) throw new UnavailableError(LOG_DOWN);
    const stopTimer = this.#deps.metrics.projectionWaitSeconds.startTimer();
    const remaining = Math.max(1, deadline - Date.now());
    const reached = await Promise.all(
      positions.map((p) => this.#deps.watermark.waitFor(p.partition, p.offset, remaining)),
    );
    stopTimer({ outcome: reached.every(Boolean) ? 'visible' : 'timeout' });
    if (!reached.every(Boolean)) throw new UnavailableError(NOT_VISIBLE);
  }

  async #read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      throw new UnavailableError(READ_MODEL_DOWN, { cause: error });
    }
  }
}
