import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expirySeconds, NEVER, sessionIdWords } from '../src/session-id.js';
import { SessionIdSet } from '../src/session-id-set.js';

describe('SessionIdSet', () => {
  it('agrees with a Map under any sequence of adds, deletes and expiry sweeps', () => {
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const operation = fc.oneof(
      fc.record({
        op: fc.constant('add' as const),
        id: fc.constantFrom(...ids),
        expiry: fc.integer({ min: 1, max: 50 }),
      }),
      fc.record({ op: fc.constant('delete' as const), id: fc.constantFrom(...ids) }),
      fc.record({ op: fc.constant('expire' as const), now: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ op: fc.constant('fit' as const) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        // A tiny table, so that it grows, probes far and wraps around.
        const set = new SessionIdSet(1);
        const model = new Map<string, number>();
        for (const step of operations) {
          if (step.op === 'add') {
            set.add(step.id, step.expiry);
            model.set(step.id, Math.max(step.expiry, model.get(step.id) ?? 0));
          } else if (step.op === 'fit') {
            set.fit();
          } else if (step.op === 'delete') {
            expect(set.delete(step.id)).toBe(model.delete(step.id));
          } else {
            const expired = [...model].filter(([, expiry]) => expiry <= step.now);
            for (const [id] of expired) model.delete(id);
            expect(set.deleteExpired(step.now)).toBe(expired.length);
          }
          expect(set.size).toBe(model.size);
        }
        for (const id of ids) expect(set.expiryOf(id)).toBe(model.get(id));
      }),
    );
  });

  it("a set adopted from another's state, reserved or not, holds the same entries", () => {
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    const set = new SessionIdSet();
    set.reserve(5000);
    ids.forEach((id, i) => set.add(id, i + 1));
    set.fit();
    const adopted = SessionIdSet.adopt(set.state());
    expect(adopted.size).toBe(2000);
    expect(ids.every((id, i) => adopted.expiryOf(id) === i + 1)).toBe(true);
    expect(() => SessionIdSet.adopt({ ...set.state(), expiries: new Uint32Array(3) })).toThrow();
  });

  it('reads ids in either case and refuses what is not a UUID', () => {
    const set = new SessionIdSet();
    const id = randomUUID();
    expect(set.add(id.toUpperCase(), 10)).toBe(true);
    expect(set.has(id)).toBe(true);
    expect(set.add('not-a-session-id', 10)).toBe(false);
    expect(set.has('')).toBe(false);
    expect(sessionIdWords('00000000-0000-0000-0000-00000000000g')).toBeUndefined();
  });

  it('grown to 250,000 sessions and fitted, holds each in at most 24 bytes, and finds them', () => {
    const set = new SessionIdSet();
    const ids = Array.from({ length: 250_000 }, () => randomUUID());
    for (const id of ids) set.add(id, 10);
    set.fit();
    expect(set.size).toBe(250_000);
    expect(set.bytes / set.size).toBeLessThanOrEqual(24);
    expect(ids.every((id) => set.has(id))).toBe(true);
    expect(Array.from({ length: 10_000 }, () => set.has(randomUUID())).some(Boolean)).toBe(false);
  });

  it('rounds expiries up to whole seconds; an unknown expiry never passes', () => {
    expect(expirySeconds(1_500)).toBe(2);
    expect(expirySeconds(2_000)).toBe(2);
    expect(expirySeconds(undefined)).toBe(NEVER);
    expect(expirySeconds(NaN)).toBe(NEVER);
  });
});
