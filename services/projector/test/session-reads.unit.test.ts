import { describe, expect, it } from 'vitest';
import { SessionReads } from '../src/audit/session-reads.js';

const gate = () => {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

describe('SessionReads', () => {
  it('starts after what the connection must do first, and reads what is asked meanwhile in one read, each session once', async () => {
    const first = gate();
    const reading = gate();
    const calls: string[][] = [];
    const reads = new SessionReads(async (ids) => {
      calls.push([...ids]);
      if (calls.length === 1) await reading.opened;
      return ids.map((id) => `row of ${id}`);
    }, first.opened);

    reads.ask(['a', 'b']);
    await Promise.resolve();
    expect(calls).toEqual([]);
    first.open();
    await expect.poll(() => calls.length).toBe(1);
    reads.ask(['b', 'c']);
    reads.ask(['c', 'd']);
    reading.open();
    const all = await reads.all();

    expect(calls).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(all).toEqual([
      ['row of a', 'row of b'],
      ['row of c', 'row of d'],
    ]);
    expect([...reads.askedFor()]).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reports a failed read from all(), and goes on reading what is asked after it', async () => {
    const calls: string[][] = [];
    const reads = new SessionReads(
      (ids): Promise<string[]> => {
        calls.push([...ids]);
        if (ids.includes('bad')) return Promise.reject(new Error('the read failed'));
        return Promise.resolve([...ids]);
      },
      Promise.reject(new Error('not ours to report')),
    );

    reads.ask(['bad']);
    reads.ask(['good']);
    await expect(reads.all()).rejects.toThrow('the read failed');
    await reads.settled();
    expect(calls).toEqual([['bad'], ['good']]);
  });
});
