import { randomBytes, randomUUID } from 'node:crypto';
import {
  SESSION_EXTENDED_V1,
  SESSION_ISSUED_V2,
  SESSION_REVOKED_V2,
  type Actor,
  type SessionEvent,
  type SessionRevokedV2,
} from '@session-authority/events';
import type { LogPosition } from '@session-authority/event-log';
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
import type { ConsistentPublisher } from './consistent-publisher.js';
import { RevocationSingleFlight } from './revocation-single-flight.js';
import { NotFoundError, REASONS } from './service-errors.js';
import type { SessionQueries } from './session-queries.js';

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

export interface SessionCommandsDeps {
  readonly queries: SessionQueries;
  readonly publisher: ConsistentPublisher;
  readonly metrics: Pick<ApiMetrics, 'revocations'>;
  readonly now?: () => Date;
}

const nothingAppended = <T>(outcome: T): Outcome<T> => ({ outcome, positions: [] });

type Decide = (session: SessionState | null, context: DecisionContext) => RevokeDecision;

/**
 * The write side: read, decide with the domain's pure functions, publish (append and wait until
 * every replica sees it). Failures are UnavailableError (retry) or NotFoundError.
 */
export class SessionCommands {
  readonly #queries: SessionQueries;
  readonly #publisher: ConsistentPublisher;
  readonly #metrics: SessionCommandsDeps['metrics'];
  readonly #now: () => Date;
  readonly #singleFlight = new RevocationSingleFlight<Outcome<LogoutOutcome>>();

  constructor(deps: SessionCommandsDeps) {
    this.#queries = deps.queries;
    this.#publisher = deps.publisher;
    this.#metrics = deps.metrics;
    this.#now = deps.now ?? (() => new Date());
  }

  async logout(token: string, requestId: string): Promise<Outcome<LogoutOutcome>> {
    const session = await this.#queries.findByToken(token);
    if (session === null) return nothingAppended('unknown-session');
    return this.#revokeOnce(session.id, decideLogout, requestId, session);
  }

  async revokeById(
    sessionId: string,
    actor: Actor,
    requestId: string,
  ): Promise<Outcome<RevokeOutcome>> {
    const decide: Decide = (session, context) =>
      decideRevoke(session, { reason: 'admin', actor }, context);
    const { outcome, positions } = await this.#revokeOnce(sessionId, decide, requestId);
    if (outcome === 'unknown-session') throw new NotFoundError(REASONS.noSuchSession);
    return { outcome, positions };
  }

  async revokeIdentity(
    identityId: string,
    actor: Actor,
    requestId: string,
  ): Promise<Outcome<RevokeOutcome>> {
    const sessions = await this.#queries.listByIdentity(identityId);
    const decision = decideRevokeIdentitySessions(sessions, actor, this.#context(requestId));
    if (decision.kind === 'no-sessions') throw new NotFoundError(REASONS.noIdentitySessions);
    if (decision.events.length === 0) return nothingAppended('already-revoked');
    return { outcome: 'revoked', positions: await this.#revoke(decision.events) };
  }

  /** The holder of `current` revokes the other sessions of its identity; `outcome` is their count. */
  async revokeOtherSessions(current: SessionState, requestId: string): Promise<Outcome<number>> {
    const sessions = await this.#queries.listByIdentity(current.identityId);
    const events = decideRevokeOtherSessions(current, sessions, this.#context(requestId));
    if (events.length === 0) return nothingAppended(0);
    return { outcome: events.length, positions: await this.#revoke(events) };
  }

  /** The holder of `current` revokes one other session of its identity. */
  async revokeOtherSession(
    current: SessionState,
    targetId: string,
    requestId: string,
  ): Promise<Outcome<RevokeOtherOutcome>> {
    const target = targetId === current.id ? current : await this.#queries.findById(targetId);
    const decision = decideRevokeOtherSession(current, targetId, target, this.#context(requestId));
    if (decision.kind !== 'revoke') return nothingAppended(decision.kind);
    // Ownership is settled on the session just read, which the single flight reuses: inside it
    // the decision is a revocation, or nothing when another request revoked the session first.
    const decide: Decide = (session, context) => {
      const again = decideRevokeOtherSession(current, targetId, session, context);
      return again.kind === 'revoke' ? again : { kind: 'already-revoked' };
    };
    return this.#revokeOnce(targetId, decide, requestId, target ?? undefined);
  }

  /** Kratos's extend: 404 unknown; a revoked session or one with enough life left is answered as is. */
  async extend(
    sessionId: string,
    policy: ExtendPolicy,
    actor: Actor,
    requestId: string,
  ): Promise<{ session: SessionState; positions: readonly LogPosition[] }> {
    const session = await this.#queries.findById(sessionId);
    const decision = decideExtend(session, policy, actor, this.#context(requestId));
    if (decision.kind === 'unknown-session') throw new NotFoundError(REASONS.noSuchSession);
    if (decision.kind === 'unchanged') return { session: decision.session, positions: [] };
    const data = decision.event;
    const event = this.#publisher.envelopeOf({
      type: SESSION_EXTENDED_V1,
      subject: data.session_id,
      time: data.extended_at,
      data,
    });
    return { session: evolved(session, event), positions: await this.#publisher.publish([event]) };
  }

  async issue(
    identityId: string,
    lifespanMs: number,
    actor: Actor,
    requestId: string,
    details?: SessionDetails,
  ): Promise<IssuedSession> {
    const token = generateToken(randomBytes);
    const command = { sessionId: randomUUID(), identityId, tokenSha256: tokenDigest(token) };
    const data = decideIssue(
      { ...command, lifespanMs, actor, ...(details === undefined ? {} : { details }) },
      this.#context(requestId),
    );
    const event = this.#publisher.envelopeOf({
      type: SESSION_ISSUED_V2,
      subject: data.session_id,
      time: data.issued_at,
      data,
    });
    const positions = await this.#publisher.publish([event]);
    return { token, session: evolved(null, event), positions };
  }

  /**
   * One revocation, decided inside the single flight. A session read just before (logout) is
   * used as is, unless this replica revoked it since: then nothing is appended.
   */
  #revokeOnce(
    sessionId: string,
    decide: Decide,
    requestId: string,
    justRead?: SessionState,
  ): Promise<Outcome<LogoutOutcome>> {
    const work = async (): Promise<Outcome<LogoutOutcome>> => {
      const session = justRead ?? (await this.#queries.findById(sessionId));
      const decision = decide(session, this.#context(requestId));
      if (decision.kind !== 'revoke') return nothingAppended(decision.kind);
      return { outcome: 'revoked', positions: await this.#revoke([decision.event]) };
    };
    return this.#singleFlight.run(sessionId, work, () => nothingAppended('already-revoked'));
  }

  async #revoke(revocations: readonly SessionRevokedV2[]): Promise<LogPosition[]> {
    const events = revocations.map((data) =>
      this.#publisher.envelopeOf({
        type: SESSION_REVOKED_V2,
        subject: data.session_id,
        time: data.revoked_at,
        data,
      }),
    );
    const positions = await this.#publisher.publish(events);
    for (const data of revocations) {
      this.#singleFlight.remember(data.session_id);
      this.#metrics.revocations.inc({ reason: data.reason });
    }
    return positions;
  }

  #context(requestId: string): DecisionContext {
    return { now: this.#now(), requestId };
  }
}

/** The session as the projection will hold it once it has applied `event`. */
function evolved(session: SessionState | null, event: SessionEvent): SessionState {
  const next = evolve(session, event);
  if (next === null) throw new Error(`${event.type} leaves no session`);
  return next;
}
