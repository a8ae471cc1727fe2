import type { PositionedEvent, QuarantinedRecord } from '@session-authority/events';
import {
  applyChangeAs,
  changesOfInput,
  sessionIdOf,
  type ProjectionInput,
  type RuledFields,
} from './projection-rule.js';
import type { SessionState } from './session.js';

export type PositionedInput = ProjectionInput & { readonly offset: bigint };

/** A partition's events and quarantined records as the rule's inputs, in log order. */
export function projectionInputsOf(
  events: readonly PositionedEvent[],
  quarantined: readonly QuarantinedRecord[],
): PositionedInput[] {
  const quarantines = quarantined.map(({ offset, sessionId, at }) => ({
    offset,
    quarantine: { sessionId, at },
  }));
  return [...events, ...quarantines].sort((a, b) => (a.offset < b.offset ? -1 : 1));
}

/**
 * Applies inputs in order, one change at a time, to a map of sessions by id: what the projection's
 * set-based runs (changesOf) must equal. The in-memory read model, verification and the rule's
 * tests fold with this.
 */
export function foldSessions(
  inputs: readonly ProjectionInput[],
  sessions: Map<string, SessionState> = new Map(),
): Map<string, SessionState> {
  return foldSessionsAs(inputs, sessions, (session) => session);
}

/**
 * foldSessions keeping of each session only what `created` takes of it: a verification of all
 * of history holds a million sessions, and needs only what the rule changes.
 */
export function foldSessionsAs<S extends RuledFields>(
  inputs: readonly ProjectionInput[],
  sessions: Map<string, S>,
  created: (session: SessionState) => S,
): Map<string, S> {
  for (const input of inputs)
    for (const change of changesOfInput(input)) {
      const id = sessionIdOf(change);
      const next = applyChangeAs(sessions.get(id) ?? null, change, created);
      if (next !== null) sessions.set(id, next);
    }
  return sessions;
}
