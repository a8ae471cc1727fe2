import { describe, expect, it } from 'vitest';
import {
  evolve,
  foldSessions,
  foldSessionsAs,
  type RuledFields,
  type SessionState,
} from '@session-authority/sessions';
import { projectionCases, type ExpectedSession } from '@session-authority/testkit';

function expected(session: RuledFields | undefined): ExpectedSession | null {
  if (session === undefined) return null;
  return {
    revokedAt: session.revokedAt?.toISOString() ?? null,
    revokeReason: session.revokeReason,
    expiresAt: session.expiresAt.toISOString(),
  };
}

describe('the projection rule: given events, when events, then state', () => {
  it.each(projectionCases)('$name', ({ given, when, then }) => {
    const state = foldSessions(when, foldSessions(given));
    for (const [id, want] of Object.entries(then)) expect(expected(state.get(id))).toEqual(want);
  });

  it.each(projectionCases)('one input at a time agrees: $name', ({ given, when, then }) => {
    let state = new Map<string, SessionState>();
    for (const input of [...given, ...when]) state = foldSessions([input], state);
    for (const [id, want] of Object.entries(then)) expect(expected(state.get(id))).toEqual(want);
  });

  it.each(projectionCases)(
    'keeping only what the rule changes agrees: $name',
    ({ given, when, then }) => {
      const kept = (s: RuledFields) => ({
        expiresAt: s.expiresAt,
        revokedAt: s.revokedAt,
        revokeReason: s.revokeReason,
      });
      const state = foldSessionsAs([...given, ...when], new Map<string, RuledFields>(), kept);
      for (const [id, want] of Object.entries(then)) expect(expected(state.get(id))).toEqual(want);
    },
  );

  it('evolve is the same rule for one event at a time', () => {
    const events = projectionCases
      .flatMap((c) => [...c.given, ...c.when])
      .flatMap((input) => ('event' in input ? [input.event] : []));
    const byEvolve = new Map<string, SessionState>();
    for (const event of events) {
      const next = evolve(byEvolve.get(event.subject) ?? null, event);
      if (next !== null) byEvolve.set(event.subject, next);
    }
    expect(byEvolve).toEqual(foldSessions(events.map((event) => ({ event }))));
  });
});
