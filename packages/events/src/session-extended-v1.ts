import { z } from 'zod';
import { actorSchema, timestamp } from './common.js';

/** Published; never edit. A session's expiry moved (PATCH /admin/sessions/{id}/extend). */
export const SESSION_EXTENDED_V1 = 'session.extended.v1';

export const sessionExtendedV1Schema = z.object({
  session_id: z.uuid(),
  identity_id: z.uuid(),
  extended_at: timestamp,
  previous_expires_at: timestamp,
  expires_at: timestamp,
  actor: actorSchema,
  request_id: z.string().min(1),
});

export type SessionExtendedV1 = z.infer<typeof sessionExtendedV1Schema>;
