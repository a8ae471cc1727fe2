import fc from 'fast-check';
import { PositionWaiters } from '@session-authority/read-model';
import { PositionWaits } from '@session-authority/revocations';
import { describe, expect, it } from 'vitest';

type Step =
  | { readonly kind: 'advance'; readonly partition: number; readonly by: number }
  | { readonly kind: 'wait'; readonly positions: readonly [number, number][] };

const partition = fc.integer({ min: 0, max: 3 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('advance'), partition, by: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    kind: fc.constant('wait'),
    positions: fc.array(fc.tuple(partition, fc.integer({ min: 0, max: 20 })), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
);

/** As the client reads a Session-Log-Position header: the highest offset of each partition. */
function highestPerPartition(positions: readonly { partition: number; offset: bigint }[]) {
  const highest = new Map<number, bigint>();
  for (const { partition, offset } of positions)
    if (offset > (highest.get(partition) ?? -1n)) highest.set(partition, offset);
  return highest;
}

/** Which waits have resolved after each step, by their index. */
async function run(steps: readonly Step[], twin: 'authority' | 'client'): Promise<number[][]> {
  const authority = new PositionWaiters();
  const client = new PositionWaits();
  const next = new Map<number, number>();
  const resolved = new Set<number>();
  const seen: number[][] = [];
  for (const [index, s] of steps.entries()) {
    if (s.kind === 'advance') {
      const to = (next.get(s.partition) ?? 0) + s.by;
      next.set(s.partition, to);
      if (twin === 'authority') authority.advance(s.partition, BigInt(to));
      else client.set(s.partition, BigInt(to));
    } else {
      const positions = s.positions.map(([p, o]) => ({ partition: p, offset: BigInt(o) }));
      const done =
        twin === 'authority'
          ? authority.waitFor(positions, 60_000).then((reached) => reached)
          : client.wait(highestPerPartition(positions)).then(() => true);
      void done.then(
        (reached) => reached && resolved.add(index),
        () => undefined, // given up at the end
      );
    }
    await Promise.resolve();
    await Promise.resolve();
    seen.push([...resolved].sort((a, b) => a - b));
  }
  authority.giveUpAll();
  client.fail(new Error('done'));
  return seen;
}

describe("the client's position waits and the authority's agree", () => {
  it('release the same waits at the same steps, for any sequence of advances and waits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        expect(await run(steps, 'client')).toEqual(await run(steps, 'authority'));
      }),
      { numRuns: 200, seed: 20261203 },
    );
  });
});
