import type { SessionEvent } from '@session-authority/events';
import type { SessionState } from './session.js';

/**
 * The projection's rule, as a pure function: issuance creates the session once, the first
 * revocation wins, and a duplicate or re-delivered event changes nothing.
 */
export function evolve(state: SessionState | null, event: SessionEvent): SessionState | null {
  switch (event.type) {
    case 'session.issued.v1': {
      if (state !== null) return state;
      const data = event.data;
      return {
        id: data.session_id,
        identityId: data.identity_id,
        tokenSha256: data.token_sha256,
        issuedAt: new Date(data.issued_at),
        authenticatedAt: new Date(data.authenticated_at),
        expiresAt: new Date(data.expires_at),
        revokedAt: null,
        revokeReason: null,
      };
    }
    case 'session.revoked.v1': {
      if (state === null || state.revokedAt !== null) return state;
      return {
        ...state,
        revokedAt: new Date(event.data.revoked_at),
        revokeReason: event.data.reason,
      };
    }
  }
}
