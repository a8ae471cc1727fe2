import type { ProjectionInput, SessionRevokeReason } from '@session-authority/sessions';
import {
  decodeSessionEvent,
  sessionIssuedV1Schema,
  type EventEnvelope,
  type RevokeReason,
  type SessionEvent,
  type SessionExtendedEvent,
  type SessionIssuedEvent,
  type SessionRevokedEvent,
} from '@session-authority/events';

/**
 * Given-events / when-events / then-state cases of the projection rule, in the style of emmett's
 * DeciderSpecification. The pure rule and the read model's SQL both run them.
 */
export interface ProjectionCase {
  readonly name: string;
  readonly given: readonly ProjectionInput[];
  readonly when: readonly ProjectionInput[];
  /** Expected state per session id after given then when; null: no such session. */
  readonly then: Readonly<Record<string, ExpectedSession | null>>;
}

export interface ExpectedSession {
  readonly revokedAt: string | null;
  readonly revokeReason: SessionRevokeReason | null;
  readonly expiresAt: string;
}

const A = '5b2f6f0e-8a8e-4c47-9b0e-2f8d7c2b1a10';
const B = '6c3f7f1e-9b9e-4d58-8c1f-3f9e8d3c2b21';
const IDENTITY = '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c';
const ISSUED_AT = '2026-11-24T11:00:00.000Z';
const EXPIRES_AT = '2026-11-25T11:00:00.000Z';

export function issued(sessionId: string, expiresAt = EXPIRES_AT): { event: SessionIssuedEvent } {
  return { event: issuedEvent(sessionId, expiresAt) };
}

export function revoked(
  sessionId: string,
  at: string,
  reason: RevokeReason,
): { event: SessionRevokedEvent } {
  return { event: revokedEvent(sessionId, at, reason) };
}

export function extended(
  sessionId: string,
  at: string,
  expiresAt: string,
): { event: SessionExtendedEvent } {
  return {
    event: {
      id: `extended-${sessionId}-${at}`,
      source: 'urn:test',
      type: 'session.extended.v1',
      time: at,
      subject: sessionId,
      data: {
        session_id: sessionId,
        identity_id: IDENTITY,
        extended_at: at,
        previous_expires_at: EXPIRES_AT,
        expires_at: expiresAt,
        actor: { type: 'admin', id: 'test' },
        request_id: `req-extend-${at}`,
      },
    },
  };
}

/** An event as a v1 producer published it, read the way the projector reads it (upcast). */
function upcast(envelope: EventEnvelope): { event: SessionEvent } {
  const decoded = decodeSessionEvent(envelope);
  if (decoded.kind !== 'event') throw new Error(`not a valid event: ${JSON.stringify(decoded)}`);
  return { event: decoded.event };
}

export function issuedV1(sessionId: string): { event: SessionEvent } {
  const v2 = issuedEvent(sessionId, EXPIRES_AT);
  // v1's schema strips the fields only v2 has.
  return upcast({ ...v2, type: 'session.issued.v1', data: sessionIssuedV1Schema.parse(v2.data) });
}

export function revokedV1(sessionId: string, at: string): { event: SessionEvent } {
  return upcast({ ...revokedEvent(sessionId, at, 'logout'), type: 'session.revoked.v1' });
}

/** A record keyed by the session that the projector could not read. */
export function quarantined(sessionId: string, at: string): ProjectionInput {
  return { quarantine: { sessionId, at: new Date(at) } };
}

function issuedEvent(sessionId: string, expiresAt: string): SessionIssuedEvent {
  return {
    id: `issued-${sessionId}-${expiresAt}`,
    source: 'urn:test',
    type: 'session.issued.v2',
    time: ISSUED_AT,
    subject: sessionId,
    data: {
      session_id: sessionId,
      identity_id: IDENTITY,
      token_sha256: sessionId.replaceAll('-', '').padEnd(64, '0').slice(0, 64),
      issued_at: ISSUED_AT,
      authenticated_at: ISSUED_AT,
      expires_at: expiresAt,
      authenticator_assurance_level: 'aal1',
      authentication_methods: [],
      devices: [],
      actor: { type: 'admin', id: 'test' },
      request_id: 'req-issue',
    },
  };
}

function revokedEvent(sessionId: string, at: string, reason: RevokeReason): SessionRevokedEvent {
  return {
    id: `revoked-${sessionId}-${at}`,
    source: 'urn:test',
    type: 'session.revoked.v2',
    time: at,
    subject: sessionId,
    data: {
      session_id: sessionId,
      identity_id: IDENTITY,
      token_sha256: sessionId.replaceAll('-', '').padEnd(64, '0').slice(0, 64),
      revoked_at: at,
      session_expires_at: EXPIRES_AT,
      reason,
      actor: { type: 'admin', id: 'test' },
      request_id: `req-${at}`,
    },
  };
}

const T1 = '2026-11-24T12:00:00.000Z';
const T2 = '2026-11-24T12:05:00.000Z';
const LATER = '2026-11-26T12:00:00.000Z';
const LATEST = '2026-11-27T12:00:00.000Z';
const active = { revokedAt: null, revokeReason: null, expiresAt: EXPIRES_AT };
const revokedAtT1 = { revokedAt: T1, revokeReason: 'logout', expiresAt: EXPIRES_AT } as const;

export const projectionCases: readonly ProjectionCase[] = [
  {
    name: 'an issuance creates an active session',
    given: [],
    when: [issued(A)],
    then: { [A]: active },
  },
  {
    name: 'a second issuance of the same id changes nothing',
    given: [issued(A)],
    when: [issued(A, '2030-01-01T00:00:00.000Z')],
    then: { [A]: active },
  },
  {
    name: 'a revocation revokes an active session',
    given: [issued(A)],
    when: [revoked(A, T1, 'logout')],
    then: { [A]: revokedAtT1 },
  },
  {
    name: 'the first revocation wins over a later one',
    given: [issued(A), revoked(A, T1, 'logout')],
    when: [revoked(A, T2, 'admin')],
    then: { [A]: revokedAtT1 },
  },
  {
    name: 'the first revocation wins within one batch',
    given: [issued(A)],
    when: [revoked(A, T1, 'logout'), revoked(A, T2, 'admin')],
    then: { [A]: revokedAtT1 },
  },
  {
    name: 'issuance and revocation in one batch',
    given: [],
    when: [issued(A), revoked(A, T1, 'logout')],
    then: { [A]: revokedAtT1 },
  },
  {
    name: 'a re-delivered revocation changes nothing',
    given: [issued(A), revoked(A, T1, 'logout')],
    when: [revoked(A, T1, 'logout')],
    then: { [A]: revokedAtT1 },
  },
  {
    name: 'a revocation of a session never issued creates nothing',
    given: [],
    when: [revoked(B, T1, 'admin')],
    then: { [B]: null },
  },
  {
    name: 'one session revoked leaves another active',
    given: [issued(A), issued(B)],
    when: [revoked(B, T2, 'identity_revoked')],
    then: {
      [A]: active,
      [B]: { revokedAt: T2, revokeReason: 'identity_revoked', expiresAt: EXPIRES_AT },
    },
  },
  {
    name: 'a quarantined record revokes an active session',
    given: [issued(A)],
    when: [quarantined(A, T1)],
    then: { [A]: { revokedAt: T1, revokeReason: 'quarantined', expiresAt: EXPIRES_AT } },
  },
  {
    name: 'a quarantined record after a revocation changes nothing',
    given: [issued(A), revoked(A, T1, 'logout')],
    when: [quarantined(A, T2)],
    then: { [A]: revokedAtT1 },
  },
  {
    name: 'a quarantined issuance leaves a revoked tombstone that a later issuance cannot revive',
    given: [quarantined(B, T1)],
    when: [issued(B), revoked(B, T2, 'logout')],
    then: { [B]: { revokedAt: T1, revokeReason: 'quarantined', expiresAt: T1 } },
  },
  {
    name: 'a revocation before the issuance in one batch does not hide a revocation after it',
    given: [],
    when: [revoked(A, T1, 'admin'), issued(A), revoked(A, T2, 'logout')],
    then: { [A]: { revokedAt: T2, revokeReason: 'logout', expiresAt: EXPIRES_AT } },
  },
  {
    name: 'v1 records read as the newest versions and follow the same rule',
    given: [issuedV1(A)],
    when: [revokedV1(A, T1)],
    then: { [A]: revokedAtT1 },
  },
  {
    name: 'an extension moves the expiry of an active session',
    given: [issued(A)],
    when: [extended(A, T1, LATER)],
    then: { [A]: { ...active, expiresAt: LATER } },
  },
  {
    name: 'an extension of an expired session moves its expiry too (as Kratos refreshes it)',
    given: [issued(A, T1)],
    when: [extended(A, T2, LATER)],
    then: { [A]: { ...active, expiresAt: LATER } },
  },
  {
    name: 'the last extension wins within one batch',
    given: [issued(A)],
    when: [extended(A, T1, LATEST), extended(A, T2, LATER)],
    then: { [A]: { ...active, expiresAt: LATER } },
  },
  {
    name: 'an extension of a revoked session changes nothing',
    given: [issued(A), revoked(A, T1, 'logout')],
    when: [extended(A, T2, LATER)],
    then: { [A]: revokedAtT1 },
  },
  {
    name: 'an extension after a revocation in one batch changes nothing',
    given: [issued(A)],
    when: [extended(A, T1, LATER), revoked(A, T1, 'logout'), extended(A, T2, LATEST)],
    then: { [A]: { ...revokedAtT1, expiresAt: LATER } },
  },
  {
    name: 'an extension before the issuance in one batch changes nothing',
    given: [],
    when: [extended(A, T1, LATER), issued(A)],
    then: { [A]: active },
  },
  {
    name: 'an extension of a session never issued creates nothing',
    given: [],
    when: [extended(B, T1, LATER)],
    then: { [B]: null },
  },
  {
    name: 'self-service revocations keep their own reasons',
    given: [issued(A), issued(B)],
    when: [revoked(A, T1, 'self_service_one'), revoked(B, T2, 'self_service_other')],
    then: {
      [A]: { ...revokedAtT1, revokeReason: 'self_service_one' },
      [B]: { revokedAt: T2, revokeReason: 'self_service_other', expiresAt: EXPIRES_AT },
    },
  },
];
