import { z } from 'zod';
import { actorSchema, sha256Hex, timestamp } from './common.js';
import type { SessionRevokedV1 } from './session-revoked-v1.js';

/** Published; never edit. v1's reasons plus the self-service ones, which v1's schema rejects. */
export const SESSION_REVOKED_V2 = 'session.revoked.v2';

export const revokeReasonV2Schema = z.enum([
  'logout',
  'admin',
  'identity_revoked',
  /** The holder of a session revoked every other session of its identity. */
  'self_service_other',
  /** The holder of a session revoked one other session of its identity. */
  'self_service_one',
]);
export type RevokeReason = z.infer<typeof revokeReasonV2Schema>;

export const sessionRevokedV2Schema = z.object({
  session_id: z.uuid(),
  identity_id: z.uuid(),
  token_sha256: sha256Hex,
  revoked_at: timestamp,
  session_expires_at: timestamp,
  reason: revokeReasonV2Schema,
  actor: actorSchema,
  request_id: z.string().min(1),
});

export type SessionRevokedV2 = z.infer<typeof sessionRevokedV2Schema>;

/** Every v1 reason is a v2 reason: the data is the same. */
export const upcastRevokedV1 = (data: SessionRevokedV1): SessionRevokedV2 => data;
