import { randomUUID } from 'node:crypto';
import {
  SESSION_EXTENDED_V1,
  SESSION_ISSUED_V2,
  SESSION_REVOKED_V2,
  type EventEnvelope,
  type SessionExtendedV1,
  type SessionIssuedV2,
  type SessionRevokedV2,
} from '@session-authority/events';
import { generateToken, tokenDigest } from '@session-authority/sessions';
import { randomBytes } from 'node:crypto';

export function issuedEvent(
  overrides: Partial<SessionIssuedV2> = {},
): EventEnvelope<typeof SESSION_ISSUED_V2, SessionIssuedV2> {
  const now = new Date();
  const data: SessionIssuedV2 = {
    session_id: randomUUID(),
    identity_id: randomUUID(),
    token_sha256: tokenDigest(generateToken(randomBytes)),
    issued_at: now.toISOString(),
    authenticated_at: now.toISOString(),
    expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
    authenticator_assurance_level: 'aal1',
    authentication_methods: [],
    devices: [],
    actor: { type: 'admin', id: 'test' },
    request_id: randomUUID(),
    ...overrides,
  };
  return {
    id: randomUUID(),
    source: 'urn:test',
    type: SESSION_ISSUED_V2,
    time: data.issued_at,
    subject: data.session_id,
    data,
  };
}

export function revokedEvent(
  issued: SessionIssuedV2,
  revokedAt = new Date(),
): EventEnvelope<typeof SESSION_REVOKED_V2, SessionRevokedV2> {
  return {
    id: randomUUID(),
    source: 'urn:test',
    type: SESSION_REVOKED_V2,
    time: revokedAt.toISOString(),
    subject: issued.session_id,
    data: {
      session_id: issued.session_id,
      identity_id: issued.identity_id,
      token_sha256: issued.token_sha256,
      revoked_at: revokedAt.toISOString(),
      session_expires_at: issued.expires_at,
      reason: 'admin',
      actor: { type: 'admin', id: 'test' },
      request_id: randomUUID(),
    },
  };
}

export function extendedEvent(
  issued: SessionIssuedV2,
  expiresAt: Date,
): EventEnvelope<typeof SESSION_EXTENDED_V1, SessionExtendedV1> {
  const at = new Date().toISOString();
  return {
    id: randomUUID(),
    source: 'urn:test',
    type: SESSION_EXTENDED_V1,
    time: at,
    subject: issued.session_id,
    data: {
      session_id: issued.session_id,
      identity_id: issued.identity_id,
      extended_at: at,
      previous_expires_at: issued.expires_at,
      expires_at: expiresAt.toISOString(),
      actor: { type: 'admin', id: 'test' },
      request_id: randomUUID(),
    },
  };
}
