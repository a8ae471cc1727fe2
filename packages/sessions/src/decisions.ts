import type {
  Actor,
  AuthenticationMethod,
  AuthenticatorAssuranceLevel,
  Device,
  RevokeReason,
  SessionExtendedV1,
  SessionIssuedV2,
  SessionRevokedV2,
} from '@session-authority/events';
import { isRevoked, type SessionState } from './session.js';

export interface DecisionContext {
  readonly now: Date;
  readonly requestId: string;
}

export type RevokeDecision =
  | { readonly kind: 'unknown-session' }
  | { readonly kind: 'already-revoked' }
  | { readonly kind: 'revoke'; readonly event: SessionRevokedV2 };

export interface RevokeCommand {
  readonly reason: RevokeReason;
  readonly actor: Actor;
}

/** Revocation is idempotent: an already revoked session yields no new event; expired ones are still revoked. */
export function decideRevoke(
  session: SessionState | null,
  command: RevokeCommand,
  context: DecisionContext,
): RevokeDecision {
  if (session === null) return { kind: 'unknown-session' };
  if (isRevoked(session)) return { kind: 'already-revoked' };
  return {
    kind: 'revoke',
    event: {
      session_id: session.id,
      identity_id: session.identityId,
      token_sha256: session.tokenSha256,
      revoked_at: context.now.toISOString(),
      session_expires_at: session.expiresAt.toISOString(),
      reason: command.reason,
      actor: command.actor,
      request_id: context.requestId,
    },
  };
}

/** The holder of the token logs out: the actor is the session's own identity. */
export function decideLogout(
  session: SessionState | null,
  context: DecisionContext,
): RevokeDecision {
  if (session === null) return { kind: 'unknown-session' };
  return decideRevoke(
    session,
    { reason: 'logout', actor: { type: 'identity', id: session.identityId } },
    context,
  );
}

export type RevokeAllDecision =
  | { readonly kind: 'no-sessions' }
  | { readonly kind: 'revoke'; readonly events: readonly SessionRevokedV2[] };

function revokeEach(
  sessions: readonly SessionState[],
  command: RevokeCommand,
  context: DecisionContext,
): SessionRevokedV2[] {
  return sessions.flatMap((session) => {
    const decision = decideRevoke(session, command, context);
    return decision.kind === 'revoke' ? [decision.event] : [];
  });
}

/** Revokes every session of one identity that is not revoked yet; none at all is "unknown". */
export function decideRevokeIdentitySessions(
  sessions: readonly SessionState[],
  actor: Actor,
  context: DecisionContext,
): RevokeAllDecision {
  if (sessions.length === 0) return { kind: 'no-sessions' };
  return {
    kind: 'revoke',
    events: revokeEach(sessions, { reason: 'identity_revoked', actor }, context),
  };
}

const holderOf = (session: SessionState): Actor => ({ type: 'identity', id: session.identityId });

/**
 * The holder of `current` revokes the other sessions of its identity that are not revoked yet
 * (`sessions` are that identity's); the number of events is Kratos's `count`.
 */
export function decideRevokeOtherSessions(
  current: SessionState,
  sessions: readonly SessionState[],
  context: DecisionContext,
): SessionRevokedV2[] {
  const others = sessions.filter((s) => s.id !== current.id && s.identityId === current.identityId);
  return revokeEach(others, { reason: 'self_service_other', actor: holderOf(current) }, context);
}

export type RevokeOtherDecision =
  { readonly kind: 'current-session' } | { readonly kind: 'not-own-session' } | RevokeDecision;

/**
 * The holder of `current` revokes one other session. Its own session is refused (that is
 * logout); a session of another identity is not the holder's to revoke, and in Kratos's answer
 * it is indistinguishable from an unknown or already revoked one.
 */
export function decideRevokeOtherSession(
  current: SessionState,
  targetId: string,
  target: SessionState | null,
  context: DecisionContext,
): RevokeOtherDecision {
  if (targetId === current.id) return { kind: 'current-session' };
  if (target !== null && target.identityId !== current.identityId)
    return { kind: 'not-own-session' };
  return decideRevoke(target, { reason: 'self_service_one', actor: holderOf(current) }, context);
}

export interface ExtendPolicy {
  /** The new expiry is now plus this. */
  readonly lifespanMs: number;
  /**
   * Kratos's `earliest_possible_extend`: a session is extended only once at most this much of
   * its life is left; undefined extends always.
   */
  readonly earliestPossibleExtendMs: number | undefined;
}

export type ExtendDecision =
  | { readonly kind: 'unknown-session' }
  | { readonly kind: 'unchanged'; readonly session: SessionState }
  | { readonly kind: 'extend'; readonly event: SessionExtendedV1 };

/**
 * Kratos's session refresh: the expiry becomes now + lifespan, an expired session included,
 * unless the session is revoked (nothing to extend) or has more left than
 * `earliestPossibleExtend` (then the session is answered as it is).
 */
export function decideExtend(
  session: SessionState | null,
  policy: ExtendPolicy,
  actor: Actor,
  context: DecisionContext,
): ExtendDecision {
  if (session === null) return { kind: 'unknown-session' };
  if (isRevoked(session)) return { kind: 'unchanged', session };
  const left = session.expiresAt.getTime() - context.now.getTime();
  const { earliestPossibleExtendMs: earliest } = policy;
  if (earliest !== undefined && left > earliest) return { kind: 'unchanged', session };
  return {
    kind: 'extend',
    event: {
      session_id: session.id,
      identity_id: session.identityId,
      extended_at: context.now.toISOString(),
      previous_expires_at: session.expiresAt.toISOString(),
      expires_at: new Date(context.now.getTime() + policy.lifespanMs).toISOString(),
      actor,
      request_id: context.requestId,
    },
  };
}

/** How the login service authenticated the session; absent parts take Kratos's defaults. */
export interface SessionDetails {
  readonly authenticatorAssuranceLevel?: AuthenticatorAssuranceLevel;
  readonly authenticationMethods?: readonly AuthenticationMethod[];
  readonly devices?: readonly Device[];
}

export interface IssueCommand {
  readonly sessionId: string;
  readonly identityId: string;
  readonly tokenSha256: string;
  readonly lifespanMs: number;
  readonly actor: Actor;
  readonly details?: SessionDetails;
}

export function decideIssue(command: IssueCommand, context: DecisionContext): SessionIssuedV2 {
  const issuedAt = context.now.toISOString();
  const details = command.details ?? {};
  return {
    session_id: command.sessionId,
    identity_id: command.identityId,
    token_sha256: command.tokenSha256,
    issued_at: issuedAt,
    authenticated_at: issuedAt,
    expires_at: new Date(context.now.getTime() + command.lifespanMs).toISOString(),
    authenticator_assurance_level: details.authenticatorAssuranceLevel ?? 'aal1',
    authentication_methods: [...(details.authenticationMethods ?? [])],
    devices: [...(details.devices ?? [])],
    actor: command.actor,
    request_id: context.requestId,
  };
}
