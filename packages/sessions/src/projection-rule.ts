import type { RevokeReason, SessionEvent } from '@session-authority/events';
import type { SessionState } from './session.js';

/** What one event does to the read model, before the stored state is consulted. */
export type SessionChange =
  | { readonly kind: 'create'; readonly session: SessionState }
  | {
      readonly kind: 'revoke';
      readonly sessionId: string;
      readonly revokedAt: Date;
      readonly reason: RevokeReason;
    };

export function changeOf(event: SessionEvent): SessionChange {
  switch (event.type) {
    case 'session.issued.v1': {
      const data = event.data;
      return {
        kind: 'create',
        session: {
          id: data.session_id,
          identityId: data.identity_id,
          tokenSha256: data.token_sha256,
          issuedAt: new Date(data.issued_at),
          authenticatedAt: new Date(data.authenticated_at),
          expiresAt: new Date(data.expires_at),
          revokedAt: null,
          revokeReason: null,
        },
      };
    }
    case 'session.revoked.v1':
      return {
        kind: 'revoke',
        sessionId: event.data.session_id,
        revokedAt: new Date(event.data.revoked_at),
        reason: event.data.reason,
      };
  }
}

/**
 * The projection's rule: a session is created once (a second issuance of the same id changes
 * nothing), and the first revocation wins (a later or re-delivered one changes nothing).
 * The read model's SQL is exactly this: `insert … on conflict do nothing` and
 * `update … where revoked_at is null`.
 */
export function applyChange(
  state: SessionState | null,
  change: SessionChange,
): SessionState | null {
  if (change.kind === 'create') return state ?? change.session;
  if (state === null || state.revokedAt !== null) return state;
  return { ...state, revokedAt: change.revokedAt, revokeReason: change.reason };
}

export function evolve(state: SessionState | null, event: SessionEvent): SessionState | null {
  return applyChange(state, changeOf(event));
}

/**
 * The changes a run of events makes, in order, without the ones the rule makes redundant within
 * the run: one create and at most one revocation (the first) per session. `item` carries
 * whatever the caller needs beside the event, such as its log position.
 */
export function changesOf<T extends { readonly event: SessionEvent }>(
  items: readonly T[],
): { readonly change: SessionChange; readonly item: T }[] {
  const created = new Set<string>();
  const revoked = new Set<string>();
  const changes: { change: SessionChange; item: T }[] = [];
  for (const item of items) {
    const change = changeOf(item.event);
    const id = change.kind === 'create' ? change.session.id : change.sessionId;
    const seen = change.kind === 'create' ? created : revoked;
    if (seen.has(id)) continue;
    seen.add(id);
    changes.push({ change, item });
  }
  return changes;
}
