import { randomBytes, randomUUID } from 'node:crypto';
import {
  SESSION_EXTENDED_V1,
  SESSION_ISSUED_V2,
  SESSION_REVOKED_V2,
  rejectionOf,
  type Actor,
  type EventEnvelope,
  type SessionExtendedEvent,
  type SessionIssuedEvent,
  type SessionRevokedV2,
} from '@session-authority/events';
import type { EventAppender, LogPosition } from '@session-authority/event-log';
import type {
  ProjectionWaiter,
  SessionPageQuery,
  SessionReader,
} from '@session-authority/read-model';
import {
  decideExtend,
  decideIssue,
  decideLogout,
  decideRevoke,
  decideRevokeIdentitySessions,
  decideRevokeOtherSession,
  decideRevokeOtherSessions,
  evolve,
  generateToken,
  tokenDigest,
  type DecisionContext,
  type ExtendPolicy,
  type RevokeDecision,
  type SessionDetails,
  type SessionState,
} from '@session-authority/sessions';
import type { ApiMetrics } from '../api-metrics.js';
import { NotFoundError, RejectedEventError, UnavailableError } from './service-errors.js';

export interface SessionServiceDeps {
  readonly reader: SessionReader;
  readonly appender: EventAppender;
  readonly waiter: ProjectionWaiter;
  readonly metrics: Pick<ApiMetrics, 'revocations' | 'projectionWaitSeconds'>;
  /** The CloudEvents source of this replica. */
  readonly source: string;
  readonly consistencyWaitMs: number;
  readonly now?: () => Date;
}

export type LogoutOutcome = 'revoked' | 'already-revoked' | 'unknown-session';
export type RevokeOutcome = Exclude<LogoutOutcome, 'unknown-session'>;
/** Kratos answers 204 for all but the caller's own session, which is not this route's to revoke. */
export type RevokeOtherOutcome = LogoutOutcome | 'current-session' | 'not-own-session';

/** What a command did, and where its events are in the log (none when it appended nothing). */
export interface Outcome<T> {
  readonly outcome: T;
  readonly positions: readonly LogPosition[];
}

export interface IssuedSession {
  readonly session: SessionState;
  readonly token: string;
  readonly positions: readonly LogPosition[];
}

const nothingAppended = <T>(outcome: T): Outcome<T> => ({ outcome, positions: [] });

const READ_MODEL_DOWN = 'The session store is unavailable; retry the request.';
const LOG_DOWN = 'The event log is unavailable; retry the request.';
const NOT_VISIBLE =
  'The change is recorded but not yet visible to every replica; retry the request.';
export const NO_SUCH_SESSION = 'No session has this id.';
export const NO_IDENTITY_SESSIONS = 'This identity has no sessions.';

const TIMED_OUT = Symbol('timed out');
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const RECENTLY_REVOKED_MAX = 10_000;

/**
 * The write side of the authority. Every change is an event appended to the log; a command
 * answers only once the log has it (acks=all) AND the projection has applied it, so that
 * every replica's read of PostgreSQL already agrees with the answer.
 * Failures are UnavailableError (retry) or NotFoundError; the HTTP layer maps both.
 */
export class SessionService {
  readonly #deps: SessionServiceDeps;
  readonly #now: () => Date;
  /** Concurrent revocations of one session in this replica share one event and one wait. */
  readonly #inFlight = new Map<string, Promise<Outcome<LogoutOutcome>>>();
  /** Sessions this replica revoked lately, for requests that read the session before that. */
  readonly #recentlyRevoked = new Set<string>();

  constructor(deps: SessionServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  findByToken(token: string): Promise<SessionState | null> {
    return this.#read(() => this.#deps.reader.findByTokenDigest(tokenDigest(token)));
  }

  async getById(sessionId: string): Promise<SessionState> {
    const session = await this.#read(() => this.#deps.reader.findById(sessionId));
    if (session === null) throw new NotFoundError(NO_SUCH_SESSION);
    return session;
  }

  listByIdentity(identityId: string): Promise<SessionState[]> {
    return this.#read(() => this.#deps.reader.listByIdentity(identityId));
  }

  listPage(query: SessionPageQuery): Promise<SessionState[]> {
    return this.#read(() => this.#deps.reader.listPage(query));
  }

  async logout(token: string, requestId: string): Promise<Outcome<LogoutOutcome>> {
    const session = await this.findByToken(token);
    if (session === null) return nothingAppended('unknown-session');
    return this.#revokeOnce(session.id, (current, context) => decideLogout(current, context), {
      requestId,
      justRead: session,
    });
  }

  async revokeById(
    sessionId: string,
    actor: Actor,
    requestId: string,
  ): Promise<Outcome<RevokeOutcome>> {
    const { outcome, positions } = await this.#revokeOnce(
      sessionId,
      (current, context) => decideRevoke(current, { reason: 'admin', actor }, context),
      { requestId },
    );
    if (outcome === 'unknown-session') throw new NotFoundError(NO_SUCH_SESSION);
    return { outcome, positions };
  }

  async revokeIdentity(
    identityId: string,
    actor: Actor,
    requestId: string,
  ): Promise<Outcome<RevokeOutcome>> {
    const sessions = await this.listByIdentity(identityId);
    const decision = decideRevokeIdentitySessions(sessions, actor, this.#context(requestId));
    if (decision.kind === 'no-sessions') throw new NotFoundError(NO_IDENTITY_SESSIONS);
    if (decision.events.length === 0) return nothingAppended('already-revoked');
    const positions = await this.#publishRevocations(decision.events);
    return { outcome: 'revoked', positions };
  }

  /** The holder of `current` revokes the other sessions of its identity; `outcome` is their count. */
  async revokeOtherSessions(current: SessionState, requestId: string): Promise<Outcome<number>> {
    const sessions = await this.listByIdentity(current.identityId);
    const events = decideRevokeOtherSessions(current, sessions, this.#context(requestId));
    if (events.length === 0) return nothingAppended(0);
    const positions = await this.#publishRevocations(events);
    for (const event of events) this.#rememberRevoked(event.session_id);
    return { outcome: events.length, positions };
  }

  /** The holder of `current` revokes one other session of its identity. */
  async revokeOtherSession(
    current: SessionState,
    targetId: string,
    requestId: string,
  ): Promise<Outcome<RevokeOtherOutcome>> {
    const target =
      targetId === current.id
        ? current
        : await this.#read(() => this.#deps.reader.findById(targetId));
    const decision = decideRevokeOtherSession(current, targetId, target, this.#context(requestId));
    if (decision.kind !== 'revoke') return nothingAppended(decision.kind);
    // Ownership is settled on the session just read, which the single flight reuses: inside it
    // the decision is a revocation, or nothing when another request revoked the session first.
    return this.#revokeOnce(
      targetId,
      (session, context) => {
        const again = decideRevokeOtherSession(current, targetId, session, context);
        return again.kind === 'revoke' ? again : { kind: 'already-revoked' };
      },
      { requestId, ...(target === null ? {} : { justRead: target }) },
    );
  }

  /** Kratos's extend: 404 unknown; a revoked session or one with enough life left is answered as is. */
  async extend(
    sessionId: string,
    policy: ExtendPolicy,
    actor: Actor,
    requestId: string,
  ): Promise<{ session: SessionState; positions: readonly LogPosition[] }> {
    const session = await this.#read(() => this.#deps.reader.findById(sessionId));
    const decision = decideExtend(session, policy, actor, this.#context(requestId));
    if (decision.kind === 'unknown-session') throw new NotFoundError(NO_SUCH_SESSION);
    if (decision.kind === 'unchanged') return { session: decision.session, positions: [] };
    const data = decision.event;
    const event: SessionExtendedEvent = this.#envelope(
      SESSION_EXTENDED_V1,
      data.session_id,
      data.extended_at,
      data,
    );
    const positions = await this.#publish([event]);
    const extended = evolve(session, event);
    if (extended === null) throw new Error('only a known session is extended');
    return { session: extended, positions };
  }

  async issue(
    identityId: string,
    lifespanMs: number,
    actor: Actor,
    requestId: string,
    details?: SessionDetails,
  ): Promise<IssuedSession> {
    const token = generateToken(randomBytes);
    const data = decideIssue(
      {
        sessionId: randomUUID(),
        identityId,
        tokenSha256: tokenDigest(token),
        lifespanMs,
        actor,
        ...(details === undefined ? {} : { details }),
      },
      this.#context(requestId),
    );
    const event: SessionIssuedEvent = this.#envelope(
      SESSION_ISSUED_V2,
      data.session_id,
      data.issued_at,
      data,
    );
    const positions = await this.#publish([event]);
    const session = evolve(null, event);
    if (session === null) throw new Error('an issuance always creates a session');
    return { token, session, positions };
  }

  /**
   * Decides inside the single flight. A session read just before (logout) is used as is, unless
   * this replica revoked it since: then the answer is 'already-revoked' and nothing is appended.
   */
  async #revokeOnce(
    sessionId: string,
    decide: (session: SessionState | null, context: DecisionContext) => RevokeDecision,
    { requestId, justRead }: { requestId: string; justRead?: SessionState },
  ): Promise<Outcome<LogoutOutcome>> {
    const pending = this.#inFlight.get(sessionId);
    if (pending !== undefined) return pending;
    if (this.#recentlyRevoked.has(sessionId)) return nothingAppended('already-revoked');
    const work = (async (): Promise<Outcome<LogoutOutcome>> => {
      const session = justRead ?? (await this.#read(() => this.#deps.reader.findById(sessionId)));
      const decision = decide(session, this.#context(requestId));
      if (decision.kind !== 'revoke') return nothingAppended(decision.kind);
      const positions = await this.#publishRevocations([decision.event]);
      this.#rememberRevoked(sessionId);
      return { outcome: 'revoked' as const, positions };
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

  async #publishRevocations(revocations: readonly SessionRevokedV2[]): Promise<LogPosition[]> {
    const positions = await this.#publish(
      revocations.map((data) =>
        this.#envelope(SESSION_REVOKED_V2, data.session_id, data.revoked_at, data),
      ),
    );
    for (const data of revocations) this.#deps.metrics.revocations.inc({ reason: data.reason });
    return positions;
  }

  #envelope<Type extends string, Data>(
    type: Type,
    subject: string,
    time: string,
    data: Data,
  ): EventEnvelope<Type, Data> {
    return { id: randomUUID(), source: this.#deps.source, type, time, subject, data };
  }

  #context(requestId: string): DecisionContext {
    return { now: this.#now(), requestId };
  }

  /** Appends, then waits until the projection has applied every position, all within the wait budget. */
  async #publish(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    for (const envelope of envelopes) {
      const problem = rejectionOf(envelope);
      if (problem !== undefined) throw new RejectedEventError(problem);
    }
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
    const reached = await this.#deps.waiter.waitFor(positions, Math.max(1, deadline - Date.now()));
    stopTimer({ outcome: reached ? 'visible' : 'timeout' });
    if (!reached) throw new UnavailableError(NOT_VISIBLE);
    return positions;
  }

  async #read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      throw new UnavailableError(READ_MODEL_DOWN, { cause: error });
    }
  }
}
