import { randomUUID } from 'node:crypto';
import {
  SESSION_ISSUED_V1,
  SESSION_REVOKED_V1,
  type EventEnvelope,
  type SessionIssuedV1,
  type SessionRevokedV1,
} from '@session-authority/events';
import { generateToken, tokenDigest } from '@session-authority/sessions';
import { randomBytes } from 'node:crypto';

export function issuedEvent(
  overrides: Partial<SessionIssuedV1> = {},
): EventEnvelope<typeof SESSION_ISSUED_V1, SessionIssuedV1> {
  const now = new Date();
  const data: SessionIssuedV1 = {
    session_id: randomUUID(),
    identity_id: randomUUID(),
    token_sha256: tokenDigest(generateToken(randomBytes)),
    issued_at: now.toISOString(),
    authenticated_at: now.toISOString(),
    expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
    actor: { type: 'admin', id: 'test' },
    request_id: randomUUID(),
    ...overrides,
  };
  return {
    id: randomUUID(),
    source: 'urn:test',
    type: SESSION_ISSUED_V1,
    time: data.issued_at,
    subject: data.session_id,
    data,
  };
}

export function revokedEvent(
  issued: SessionIssuedV1,
  revokedAt = new Date(),
): EventEnvelope<typeof SESSION_REVOKED_V1, SessionRevokedV1> {
  return {
    id: randomUUID(),
    source: 'urn:test',
    type: SESSION_REVOKED_V1,
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
