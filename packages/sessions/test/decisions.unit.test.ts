import { describe, expect, it } from 'vitest';
import {
  sessionExtendedV1Schema,
  sessionIssuedV2Schema,
  sessionRevokedV2Schema,
} from '@session-authority/events';
import {
  decideIssue,
  decideLogout,
  decideRevoke,
  decideExtend,
  decideRevokeIdentitySessions,
  decideRevokeOtherSession,
  decideRevokeOtherSessions,
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
  authenticatorAssuranceLevel: 'aal1',
  authenticationMethods: [],
  devices: [],
  revokedAt: null,
  revokeReason: null,
};
const HOUR = 3_600_000;

describe('logout', () => {
  it('revokes an active session, the identity itself as actor', () => {
    const decision = decideLogout(session, context);
    expect(decision.kind).toBe('revoke');
    if (decision.kind !== 'revoke') return;
    expect(sessionRevokedV2Schema.parse(decision.event)).toEqual({
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

  it('issues a valid session.issued.v2 that expires after the lifespan, with Kratos defaults', () => {
    const data = sessionIssuedV2Schema.parse(issued);
    expect(data.expires_at).toBe('2026-11-24T13:00:00.000Z');
    expect(data.authenticator_assurance_level).toBe('aal1');
    expect([data.authentication_methods, data.devices]).toEqual([[], []]);
  });

  it('carries the assurance level, methods and devices the login service names', () => {
    const device = { id: 'c3b1a0e2-1111-4a2b-9c3d-4e5f6a7b8c9d', ip_address: '192.0.2.7' };
    const method = { method: 'password', aal: 'aal1' as const };
    const data = decideIssue(
      {
        sessionId: session.id,
        identityId: session.identityId,
        tokenSha256: session.tokenSha256,
        lifespanMs: HOUR,
        actor: { type: 'admin', id: 'key' },
        details: {
          authenticatorAssuranceLevel: 'aal2',
          authenticationMethods: [method],
          devices: [device],
        },
      },
      context,
    );
    expect(sessionIssuedV2Schema.parse(data)).toMatchObject({
      authenticator_assurance_level: 'aal2',
      authentication_methods: [method],
      devices: [device],
    });
  });
});

describe('self-service revocation', () => {
  const other = {
    ...session,
    id: '6c3f7f1e-9b9e-4d58-8c1f-3f9e8d3c2b21',
    tokenSha256: 'b'.repeat(64),
  };
  const stranger = {
    ...session,
    id: '7d4f8f2e-0c0f-4e69-9d2f-4f0f9e4d3c32',
    identityId: '1d9f4d55-2c0b-4d0c-9f68-3e4f5a6b7c8d',
    tokenSha256: 'c'.repeat(64),
  };
  const revokedOther = {
    ...other,
    id: '8e5f9f3e-1d1f-4f7a-8e3f-5f1f0f5e4d43',
    tokenSha256: 'd'.repeat(64),
    revokedAt: now,
    revokeReason: 'admin' as const,
  };

  it('revokes every other unrevoked session of the identity, never the current one', () => {
    const events = decideRevokeOtherSessions(
      session,
      [session, other, revokedOther, stranger],
      context,
    );
    expect(events.map((e) => sessionRevokedV2Schema.parse(e))).toEqual([
      expect.objectContaining({
        session_id: other.id,
        reason: 'self_service_other',
        actor: { type: 'identity', id: session.identityId },
      }),
    ]);
  });

  it('revokes one other session with its own reason', () => {
    const decision = decideRevokeOtherSession(session, other.id, other, context);
    expect(decision).toMatchObject({ kind: 'revoke', event: { reason: 'self_service_one' } });
  });

  it.each([
    ['the current session', session.id, session, 'current-session'],
    ["another identity's session", stranger.id, stranger, 'not-own-session'],
    ['a session revoked before', revokedOther.id, revokedOther, 'already-revoked'],
    ['an unknown session', '9f6f0f4e-2e2f-4a8b-9f4f-6f2f1f6f5e54', null, 'unknown-session'],
  ] as const)('revokes nothing for %s', (_what, id, target, kind) => {
    expect(decideRevokeOtherSession(session, id, target, context).kind).toBe(kind);
  });
});

describe('extend', () => {
  const admin = { type: 'admin', id: 'key' } as const;
  const always = { lifespanMs: 24 * HOUR, earliestPossibleExtendMs: undefined };

  it('moves the expiry to now + lifespan', () => {
    const decision = decideExtend(session, always, admin, context);
    expect(decision.kind).toBe('extend');
    if (decision.kind !== 'extend') return;
    expect(sessionExtendedV1Schema.parse(decision.event)).toMatchObject({
      previous_expires_at: session.expiresAt.toISOString(),
      expires_at: '2026-11-25T12:00:00.000Z',
      actor: admin,
    });
  });

  it('extends only once at most earliest_possible_extend is left', () => {
    // 23 hours are left.
    const early = { lifespanMs: 24 * HOUR, earliestPossibleExtendMs: 22 * HOUR };
    const due = { lifespanMs: 24 * HOUR, earliestPossibleExtendMs: 23 * HOUR };
    expect(decideExtend(session, early, admin, context)).toEqual({ kind: 'unchanged', session });
    expect(decideExtend(session, due, admin, context).kind).toBe('extend');
  });

  it('leaves a revoked session as it is and knows no unknown one', () => {
    const revoked = { ...session, revokedAt: now, revokeReason: 'logout' as const };
    expect(decideExtend(revoked, always, admin, context).kind).toBe('unchanged');
    expect(decideExtend(null, always, admin, context).kind).toBe('unknown-session');
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
