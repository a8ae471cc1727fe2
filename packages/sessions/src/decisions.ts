import type {
  Actor,
  RevokeReason,
  SessionIssuedV1,
  SessionRevokedV1,
} from '@session-authority/events';
import { isRevoked, type SessionState } from './session.js';

export interface DecisionContext {
  readonly now: Date;
  readonly requestId: string;
}

export type RevokeDecision =
  | { readonly kind: 'unknown-session' }
  | { readonly kind: 'already-revoked' }
  | { readonly kind: 'revoke'; readonly event: SessionRevokedV1 };

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
  | { readonly kind: 'revoke'; readonly events: readonly SessionRevokedV1[] };

/** Revokes every session of one identity that is not revoked yet; none at all is "unknown". */
export function decideRevokeIdentitySessions(
  sessions: readonly SessionState[],
  actor: Actor,
  context: DecisionContext,
): RevokeAllDecision {
  if (sessions.length === 0) return { kind: 'no-sessions' };
  const events: SessionRevokedV1[] = [];
  for (const session of sessions) {
    const decision = decideRevoke(session, { reason: 'identity_revoked', actor }, context);
    if (decision.kind === 'revoke') events.push(decision.event);
  }
  return { kind: 'revoke', events };
}

export interface IssueCommand {
  readonly sessionId: string;
  readonly identityId: string;
  readonly tokenSha256: string;
  readonly lifespanMs: number;
  readonly actor: Actor;
}

export function decideIssue(command: IssueCommand, context: DecisionContext): SessionIssuedV1 {
  const issuedAt = context.now.toISOString();
  return {
    session_id: command.sessionId,
    identity_id: command.identityId,
    token_sha256: command.tokenSha256,
    issued_at: issuedAt,
    authenticated_at: issuedAt,
    expires_at: new Date(context.now.getTime() + command.lifespanMs).toISOString(),
    actor: command.actor,
    request_id: context.requestId,
  };
}
