import { describe, expect, it } from 'vitest';
import { planBatch } from '@session-authority/event-log';

describe('what the subscription does with a fetched batch', () => {
  it.each([
    ['the stored offset is not known yet', undefined, [5n, 6n], { kind: 'read-stored-offset' }],
    ['an empty fetch', 3n, [], { kind: 'empty' }],
    [
      'a fetch that starts past the stored offset seeks back',
      3n,
      [7n, 8n],
      { kind: 'seek', offset: 3n },
    ],
    [
      'a batch applied before is acknowledged and dropped',
      10n,
      [7n, 8n, 9n],
      { kind: 'skip', last: 9n },
    ],
    [
      'a batch that starts at the stored offset is handled whole',
      7n,
      [7n, 8n],
      { kind: 'handle', from: 0, last: 8n },
    ],
    [
      'a batch that overlaps the stored offset is handled from it',
      8n,
      [6n, 7n, 8n, 9n],
      { kind: 'handle', from: 2, last: 9n },
    ],
  ] as const)('%s', (_name, expected, offsets, plan) => {
    expect(planBatch(expected, offsets, 100n)).toEqual(plan);
  });

  it('a log that ends before the stored offset is not read from its start instead', () => {
    expect(planBatch(50n, [0n, 1n, 2n], 3n)).toEqual({ kind: 'seek', offset: 50n });
    expect(planBatch(3n, [1n, 2n, 3n], 4n)).toEqual({ kind: 'handle', from: 2, last: 3n });
  });
});
