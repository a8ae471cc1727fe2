import { z } from 'zod';
import { actorSchema, sha256Hex, timestamp } from './common.js';
import type { SessionIssuedV1 } from './session-issued-v1.js';

/** Published; never edit. Adds what Kratos's session carries: assurance level, methods, devices. */
export const SESSION_ISSUED_V2 = 'session.issued.v2';

export const aalSchema = z.enum(['aal0', 'aal1', 'aal2', 'aal3']);
export type AuthenticatorAssuranceLevel = z.infer<typeof aalSchema>;

const shortText = (max: number) => z.string().min(1).max(max);

export const authenticationMethodSchema = z.object({
  method: shortText(64),
  aal: aalSchema.optional(),
  completed_at: timestamp.optional(),
});
export type AuthenticationMethod = z.infer<typeof authenticationMethodSchema>;

export const deviceSchema = z.object({
  id: z.uuid(),
  ip_address: z.union([z.ipv4(), z.ipv6()]).optional(),
  user_agent: shortText(512).optional(),
  location: shortText(128).optional(),
});
export type Device = z.infer<typeof deviceSchema>;

export const MAX_AUTHENTICATION_METHODS = 16;
export const MAX_DEVICES = 16;

export const sessionIssuedV2Schema = z.object({
  session_id: z.uuid(),
  identity_id: z.uuid(),
  token_sha256: sha256Hex,
  issued_at: timestamp,
  authenticated_at: timestamp,
  expires_at: timestamp,
  authenticator_assurance_level: aalSchema,
  authentication_methods: z.array(authenticationMethodSchema).max(MAX_AUTHENTICATION_METHODS),
  devices: z.array(deviceSchema).max(MAX_DEVICES),
  actor: actorSchema,
  request_id: z.string().min(1),
});

export type SessionIssuedV2 = z.infer<typeof sessionIssuedV2Schema>;

/** A v1 session was issued before these fields existed: Kratos's defaults. */
export function upcastIssuedV1(data: SessionIssuedV1): SessionIssuedV2 {
  return {
    ...data,
    authenticator_assurance_level: 'aal1',
    authentication_methods: [],
    devices: [],
  };
}
