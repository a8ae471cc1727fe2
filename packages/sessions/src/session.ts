import type {
  AuthenticationMethod,
  AuthenticatorAssuranceLevel,
  Device,
  RevokeReason,
} from '@session-authority/events';

/** Why the read model holds a session as revoked: an event's reason, or a record it could not read. */
export type SessionRevokeReason = RevokeReason | 'quarantined';

/** A session as the read model knows it. Revoked sessions are kept as tombstones. */
export interface SessionState {
  readonly id: string;
  readonly identityId: string;
  readonly tokenSha256: string;
  readonly issuedAt: Date;
  readonly authenticatedAt: Date;
  readonly expiresAt: Date;
  readonly authenticatorAssuranceLevel: AuthenticatorAssuranceLevel;
  readonly authenticationMethods: readonly AuthenticationMethod[];
  readonly devices: readonly Device[];
  readonly revokedAt: Date | null;
  readonly revokeReason: SessionRevokeReason | null;
}

export function isRevoked(session: SessionState): boolean {
  return session.revokedAt !== null;
}

export function isExpired(session: SessionState, now: Date): boolean {
  return session.expiresAt.getTime() <= now.getTime();
}

/** Active means whoami accepts it: neither revoked nor expired. */
export function isActive(session: SessionState, now: Date): boolean {
  return !isRevoked(session) && !isExpired(session, now);
}
