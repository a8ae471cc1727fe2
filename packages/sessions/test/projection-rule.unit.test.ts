import { describe, expect, it } from 'vitest';
import {
  applyChange,
  changesOf,
  evolve,
  sessionIdOf,
  type ProjectionInput,
  type SessionState,
} from '@session-authority/sessions';
import { projectionCases, type ExpectedSession } from './projection-cases.js';

function fold(inputs: readonly ProjectionInput[], state = new Map<string, SessionState>()) {
  for (const { change } of changesOf(inputs).flat()) {
    const id = sessionIdOf(change);
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

  it.each(projectionCases)('one input at a time agrees: $name', ({ given, when, then }) => {
    let state = new Map<string, SessionState>();
    for (const input of [...given, ...when]) state = fold([input], state);
    for (const [id, want] of Object.entries(then)) expect(expected(state.get(id))).toEqual(want);
  });

  it('evolve is the same rule for one event at a time', () => {
    const events = projectionCases
      .flatMap((c) => [...c.given, ...c.when])
      .flatMap((input) => ('event' in input ? [input.event] : []));
    const byEvolve = new Map<string, SessionState>();
    for (const event of events) {
      const next = evolve(byEvolve.get(event.subject) ?? null, event);
      if (next !== null) byEvolve.set(event.subject, next);
    }
    expect(byEvolve).toEqual(fold(events.map((event) => ({ event }))));
  });
});
