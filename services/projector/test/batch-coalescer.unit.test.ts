import type { BatchOutcome, ProjectionBatch } from '@session-authority/read-model';
import { describe, expect, it } from 'vitest';
import { BatchCoalescer } from '../src/batch-coalescer.js';

const batch = (partition: number, nextOffset = 1n): ProjectionBatch => ({
  partition,
  events: [],
  quarantined: [],
  records: [],
  nextOffset,
});

describe('BatchCoalescer', () => {
  it('sends a lone batch at once and joins those that arrive meanwhile, one per partition', async () => {
    const calls: number[][] = [];
    let release: () => void = () => undefined;
    const coalescer = new BatchCoalescer(
      async (batches) => {
        calls.push(batches.map((b) => b.partition));
        if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return batches.map((b): BatchOutcome => ({ applied: [], nextOffset: b.nextOffset }));
      },
      { lanes: 1 },
    );
    const first = coalescer.apply(batch(0));
    const rest = [
      coalescer.apply(batch(1)),
      coalescer.apply(batch(2)),
      coalescer.apply(batch(1, 9n)),
    ];
    release();
    await Promise.all([first, ...rest]);
    expect(calls).toEqual([[0], [1, 2], [1]]);
    expect((await rest[2])?.nextOffset).toBe(9n);
  });

  it('caps a transaction by events and runs up to `lanes` transactions at once', async () => {
    const running: number[] = [];
    let most = 0;
    const releases: (() => void)[] = [];
    const coalescer = new BatchCoalescer(
      async (batches) => {
        running.push(1);
        most = Math.max(most, running.length);
        await new Promise<void>((resolve) => releases.push(resolve));
        running.pop();
        return batches.map((b) => ({ applied: [], nextOffset: b.nextOffset }));
      },
      { lanes: 2, maxEvents: 1 },
    );
    const withEvent = (partition: number): ProjectionBatch => ({
      ...batch(partition),
      events: [{ offset: 0n, event: {} as never }],
    });
    const all = [0, 1, 2, 3].map((p) => coalescer.apply(withEvent(p)));
    while (releases.length > 0 || running.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(all);
    expect(most).toBe(2);
  });

  it('rejects every batch of a failed transaction and goes on with the next', async () => {
    let fail = true;
    const coalescer = new BatchCoalescer((batches) => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error('connection lost'));
      }
      return Promise.resolve(batches.map((b) => ({ applied: [], nextOffset: b.nextOffset })));
    });
    await expect(coalescer.apply(batch(0))).rejects.toThrow('connection lost');
    await expect(coalescer.apply(batch(0, 2n))).resolves.toEqual({ applied: [], nextOffset: 2n });
  });
});
