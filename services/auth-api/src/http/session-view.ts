import { isActive, type SessionState } from '@session-authority/sessions';
import type { z } from 'zod';
import type { sessionSchema } from './schemas.js';

/** Kratos's session shape; never carries the token or its digest. */
export function sessionView(session: SessionState, now: Date): z.infer<typeof sessionSchema> {
  return {
    id: session.id,
    active: isActive(session, now),
    expires_at: session.expiresAt.toISOString(),
    authenticated_at: session.authenticatedAt.toISOString(),
    issued_at: session.issuedAt.toISOString(),
    authenticator_assurance_level: session.authenticatorAssuranceLevel,
    authentication_methods: [...session.authenticationMethods],
    devices: [...session.devices],
    identity: { id: session.identityId },
  };
}
