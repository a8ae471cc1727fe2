import type { ProjectionInput, SessionRevokeReason } from '@session-authority/sessions';
import {
  A,
  B,
  EXPIRES_AT,
  extended,
  issued,
  issuedV1,
  quarantined,
  revoked,
  revokedV1,
} from './projection-inputs.js';

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
