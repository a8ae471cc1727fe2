import { describe, expect, it } from 'vitest';
import { applyChange, changesOf, evolve, type SessionState } from '@session-authority/sessions';
import type { SessionEvent } from '@session-authority/events';
import { projectionCases, type ExpectedSession } from './projection-cases.js';

function fold(events: readonly SessionEvent[], state = new Map<string, SessionState>()) {
  for (const { change } of changesOf(events.map((event) => ({ event })))) {
    const id = change.kind === 'create' ? change.session.id : change.sessionId;
    const next = applyChange(state.get(id) ?? null, change);
    if (next !== null) state.set(id, next);
  }
  return state;
}

function expected(session: SessionState | undefined): ExpectedSession | null {
  if (session === undefined) return null;
  return {
    revokedAt: session.revokedAt?.toISOString() ?? null,
    revokeReason: session.revokeReason,
    expiresAt: session.expiresAt.toISOString(),
  };
}

describe('the projection rule: given events, when events, then state', () => {
  it.each(projectionCases)('$name', ({ given, when, then }) => {
    const state = fold(when, fold(given));
    for (const [id, want] of Object.entries(then)) expect(expected(state.get(id))).toEqual(want);
  });

  it.each(projectionCases)(
    'evolve, one event at a time, agrees: $name',
    ({ given, when, then }) => {
      const state = new Map<string, SessionState | null>();
      for (const event of [...given, ...when]) {
        state.set(event.subject, evolve(state.get(event.subject) ?? null, event));
      }
      for (const [id, want] of Object.entries(then))
        expect(expected(state.get(id) ?? undefined)).toEqual(want);
    },
  );
});
