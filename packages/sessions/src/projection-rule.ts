import { createHash } from 'node:crypto';
import type { SessionEvent } from '@session-authority/events';
import type { SessionRevokeReason, SessionState } from './session.js';

/** What one log record does to the read model, before the stored state is consulted. */
export type SessionChange =
  | { readonly kind: 'create'; readonly session: SessionState }
  | {
      readonly kind: 'revoke';
      readonly sessionId: string;
      readonly revokedAt: Date;
      readonly reason: SessionRevokeReason;
    }
  | { readonly kind: 'extend'; readonly sessionId: string; readonly expiresAt: Date };

/** A record keyed by a session that the projector could not read: it fails closed. */
export interface Quarantine {
  readonly sessionId: string;
  readonly at: Date;
}

export type ProjectionInput =
  { readonly event: SessionEvent } | { readonly quarantine: Quarantine };

/** The identity of a session known only from a record that could not be read. */
export const UNKNOWN_IDENTITY = '00000000-0000-0000-0000-000000000000';

function changesOfEvent(event: SessionEvent): SessionChange[] {
  switch (event.type) {
    case 'session.issued.v2': {
      const data = event.data;
      const session: SessionState = {
        id: data.session_id,
        identityId: data.identity_id,
        tokenSha256: data.token_sha256,
        issuedAt: new Date(data.issued_at),
        authenticatedAt: new Date(data.authenticated_at),
        expiresAt: new Date(data.expires_at),
        authenticatorAssuranceLevel: data.authenticator_assurance_level,
        authenticationMethods: data.authentication_methods,
        devices: data.devices,
        revokedAt: null,
        revokeReason: null,
      };
      return [{ kind: 'create', session }];
    }
    case 'session.revoked.v2': {
      const { session_id: sessionId, revoked_at: at, reason } = event.data;
      return [{ kind: 'revoke', sessionId, revokedAt: new Date(at), reason }];
    }
    case 'session.extended.v1': {
      const { session_id: sessionId, expires_at: expiresAt } = event.data;
      return [{ kind: 'extend', sessionId, expiresAt: new Date(expiresAt) }];
    }
  }
}

/**
 * A quarantine revokes the session, and, when the session is not known (its issuance is the
 * unreadable record), leaves a revoked tombstone so that it can never become valid later.
 */
function changesOfQuarantine({ sessionId, at }: Quarantine): SessionChange[] {
  const tombstone: SessionState = {
    id: sessionId,
    identityId: UNKNOWN_IDENTITY,
    // No token hashes to this: it only has to be unique, as the column is.
    tokenSha256: createHash('sha256').update(`quarantined:${sessionId}`).digest('hex'),
    issuedAt: at,
    authenticatedAt: at,
    expiresAt: at,
    authenticatorAssuranceLevel: 'aal0',
    authenticationMethods: [],
    devices: [],
    revokedAt: null,
    revokeReason: null,
  };
  return [
    { kind: 'create', session: tombstone },
    { kind: 'revoke', sessionId, revokedAt: at, reason: 'quarantined' },
  ];
}

/** The changes one input makes, applied in turn by foldSessions. */
export function changesOfInput(input: ProjectionInput): SessionChange[] {
  return 'event' in input ? changesOfEvent(input.event) : changesOfQuarantine(input.quarantine);
}

/**
 * The projection's rule: a session is created once (a second issuance of the same id changes
 * nothing), the first revocation wins (a later or re-delivered one changes nothing), and an
 * extension moves the expiry of a session that is not revoked (the last one in the log wins).
 * The read model's SQL is exactly this: `insert … on conflict do nothing`,
 * `update … where revoked_at is null`.
 */
export function applyChange(
  state: SessionState | null,
  change: SessionChange,
): SessionState | null {
  return applyChangeAs(state, change, (session) => session);
}

/** What the rule reads and changes of a session; the rest is set once, by its creation. */
export type RuledFields = Pick<SessionState, 'expiresAt' | 'revokedAt' | 'revokeReason'>;

/** applyChange for a session kept as `created` makes it of a created session (a part of it). */
export function applyChangeAs<S extends RuledFields>(
  state: S | null,
  change: SessionChange,
  created: (session: SessionState) => S,
): S | null {
  if (change.kind === 'create') return state ?? created(change.session);
  if (state === null || state.revokedAt !== null) return state;
  if (change.kind === 'extend') return { ...state, expiresAt: change.expiresAt };
  return { ...state, revokedAt: change.revokedAt, revokeReason: change.reason };
}

export const sessionIdOf = (change: SessionChange): string =>
  change.kind === 'create' ? change.session.id : change.sessionId;

export function evolve(state: SessionState | null, event: SessionEvent): SessionState | null {
  return changesOfEvent(event).reduce(applyChange, state);
}

/**
 * The changes a sequence of inputs makes, in log order, as runs that set-based SQL can apply one
 * after the other (all creates of a run, then all its extensions, then all its revocations) with
 * the same result as applying every input in turn. Within a run: one create, at most one
 * extension (the last before any revocation) and at most one revocation (the first) per session;
 * a create of a session that the run already extended or revoked starts a new run.
 * `item` carries whatever the caller needs beside the input, such as its log position.
 */
export function changesOf<T extends ProjectionInput>(
  items: readonly T[],
): { readonly change: SessionChange; readonly item: T }[][] {
  type Entry = { change: SessionChange; item: T };
  const runs: Entry[][] = [];
  // An extension replaced by a later one leaves an undefined hole, dropped when the run closes.
  let run: (Entry | undefined)[] = [];
  const close = () => run.filter((entry): entry is Entry => entry !== undefined);
  let created = new Set<string>();
  let revoked = new Set<string>();
  let extended = new Map<string, number>();
  for (const item of items) {
    for (const change of changesOfInput(item)) {
      const id = sessionIdOf(change);
      const touched = revoked.has(id) || extended.has(id);
      if (change.kind === 'create' && touched && !created.has(id)) {
        runs.push(close());
        run = [];
        created = new Set();
        revoked = new Set();
        extended = new Map();
      }
      if (change.kind === 'extend') {
        // After a revocation an extension changes nothing; a later one replaces an earlier one.
        if (revoked.has(id)) continue;
        const earlier = extended.get(id);
        if (earlier !== undefined) run[earlier] = undefined;
        extended.set(id, run.length);
        run.push({ change, item });
        continue;
      }
      const seen = change.kind === 'create' ? created : revoked;
      if (seen.has(id)) continue;
      seen.add(id);
      run.push({ change, item });
    }
  }
  const last = close();
  if (last.length > 0) runs.push(last);
  return runs;
}
