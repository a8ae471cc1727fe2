import { z } from 'zod';
import { actorSchema, sha256Hex, timestamp } from './common.js';

/** Published; never edit. A change is session.revoked.v2 plus an upcaster. */
export const SESSION_REVOKED_V1 = 'session.revoked.v1';

export const revokeReasonSchema = z.enum(['logout', 'admin', 'identity_revoked']);
export type RevokeReasonV1 = z.infer<typeof revokeReasonSchema>;

export const sessionRevokedV1Schema = z.object({
  session_id: z.uuid(),
  identity_id: z.uuid(),
  token_sha256: sha256Hex,
  revoked_at: timestamp,
  session_expires_at: timestamp,
  reason: revokeReasonSchema,
  actor: actorSchema,
  request_id: z.string().min(1),
});

export type SessionRevokedV1 = z.infer<typeof sessionRevokedV1Schema>;
