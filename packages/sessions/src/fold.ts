import type { PositionedEvent, QuarantinedRecord } from '@session-authority/events';
import {
  applyChange,
  changesOfInput,
  sessionIdOf,
  type ProjectionInput,
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
  for (const input of inputs)
    for (const change of changesOfInput(input)) {
      const id = sessionIdOf(change);
      const next = applyChange(sessions.get(id) ?? null, change);
      if (next !== null) sessions.set(id, next);
    }
  return sessions;
}
