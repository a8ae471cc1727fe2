import { describe, expect, it } from 'vitest';
import { sessionRevokedV1Schema, sessionIssuedV1Schema } from '@session-authority/events';
import {
  decideIssue,
  decideLogout,
  decideRevoke,
  decideRevokeIdentitySessions,
  parseDuration,
  type SessionState,
} from '@session-authority/sessions';

const now = new Date('2026-11-24T12:00:00.000Z');
const context = { now, requestId: 'req-1' };
const session: SessionState = {
  id: '5b2f6f0e-8a8e-4c47-9b0e-2f8d7c2b1a10',
  identityId: '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c',
  tokenSha256: 'a'.repeat(64),
  issuedAt: new Date('2026-11-24T11:00:00.000Z'),
  authenticatedAt: new Date('2026-11-24T11:00:00.000Z'),
  expiresAt: new Date('2026-11-25T11:00:00.000Z'),
  revokedAt: null,
  revokeReason: null,
};

describe('logout', () => {
  it('revokes an active session, the identity itself as actor', () => {
    const decision = decideLogout(session, context);
    expect(decision.kind).toBe('revoke');
    if (decision.kind !== 'revoke') return;
    expect(sessionRevokedV1Schema.parse(decision.event)).toEqual({
      session_id: session.id,
      identity_id: session.identityId,
      token_sha256: session.tokenSha256,
      revoked_at: now.toISOString(),
      session_expires_at: session.expiresAt.toISOString(),
      reason: 'logout',
      actor: { type: 'identity', id: session.identityId },
      request_id: 'req-1',
    });
  });

  it('revokes an expired session too', () => {
    const expired = { ...session, expiresAt: new Date('2026-11-24T11:30:00.000Z') };
    expect(decideLogout(expired, context).kind).toBe('revoke');
  });

  it('emits nothing for a session revoked before', () => {
    const revoked = {
      ...session,
      revokedAt: new Date('2026-11-24T11:10:00.000Z'),
      revokeReason: 'admin' as const,
    };
    expect(decideLogout(revoked, context)).toEqual({ kind: 'already-revoked' });
  });

  it('knows no session for an unknown token', () => {
    expect(decideLogout(null, context)).toEqual({ kind: 'unknown-session' });
  });
});

describe('admin revocation', () => {
  it('carries the path as reason and the admin as actor', () => {
    const decision = decideRevoke(
      session,
      { reason: 'admin', actor: { type: 'admin', id: 'key' } },
      context,
    );
    expect(decision.kind === 'revoke' && decision.event.reason).toBe('admin');
    expect(decision.kind === 'revoke' && decision.event.actor).toEqual({
      type: 'admin',
      id: 'key',
    });
  });

  it('revokes only the sessions of an identity that are still unrevoked', () => {
    const other = {
      ...session,
      id: '7d1c1d5e-3a4b-4c6d-8e9f-0a1b2c3d4e5f',
      revokedAt: now,
      revokeReason: 'logout' as const,
    };
    const decision = decideRevokeIdentitySessions(
      [session, other],
      { type: 'admin', id: 'key' },
      context,
    );
    expect(
      decision.kind === 'revoke' && decision.events.map((e) => [e.session_id, e.reason]),
    ).toEqual([[session.id, 'identity_revoked']]);
  });

  it('says so when the identity has no sessions at all', () => {
    expect(decideRevokeIdentitySessions([], { type: 'admin', id: 'key' }, context)).toEqual({
      kind: 'no-sessions',
    });
  });
});

describe('issue', () => {
  const issued = decideIssue(
    {
      sessionId: session.id,
      identityId: session.identityId,
      tokenSha256: session.tokenSha256,
      lifespanMs: 3_600_000,
      actor: { type: 'admin', id: 'key' },
    },
    context,
  );

  it('issues a valid session.issued.v1 that expires after the lifespan', () => {
    expect(sessionIssuedV1Schema.parse(issued).expires_at).toBe('2026-11-24T13:00:00.000Z');
  });
});

describe('durations', () => {
  it.each([
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['0s', undefined],
    ['1d', undefined],
    ['', undefined],
    ['-1h', undefined],
  ])('%s is %s ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
