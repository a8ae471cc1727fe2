import { z } from 'zod';
import { actorSchema, sha256Hex, timestamp } from './common.js';

/** Published; never edit. A change is session.issued.v2 plus an upcaster. */
export const SESSION_ISSUED_V1 = 'session.issued.v1';

export const sessionIssuedV1Schema = z.object({
  session_id: z.uuid(),
  identity_id: z.uuid(),
  token_sha256: sha256Hex,
  issued_at: timestamp,
  authenticated_at: timestamp,
  expires_at: timestamp,
  actor: actorSchema,
  request_id: z.string().min(1),
});

export type SessionIssuedV1 = z.infer<typeof sessionIssuedV1Schema>;
