import type { ProjectionInput } from '@session-authority/sessions';
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

/** Projection inputs for the rule's cases: issuances, revocations, extensions, v1 records. */
export const A = '5b2f6f0e-8a8e-4c47-9b0e-2f8d7c2b1a10';
export const B = '6c3f7f1e-9b9e-4d58-8c1f-3f9e8d3c2b21';
const IDENTITY = '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c';
const ISSUED_AT = '2026-11-24T11:00:00.000Z';
export const EXPIRES_AT = '2026-11-25T11:00:00.000Z';

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
