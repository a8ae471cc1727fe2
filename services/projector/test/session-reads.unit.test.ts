import { describe, expect, it } from 'vitest';
import { SessionReads } from '../src/audit/session-reads.js';

const gate = () => {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

describe('SessionReads', () => {
  it('reads at once what is asked first, then what is asked meanwhile in one read, each session once', async () => {
    const reading = gate();
    const calls: string[][] = [];
    const reads = new SessionReads(async (ids) => {
      calls.push([...ids]);
      if (calls.length === 1) await reading.opened;
      return ids.map((id) => `row of ${id}`);
    });

    reads.ask(['a', 'b']);
    expect(calls).toEqual([['a', 'b']]);
    reads.ask(['b', 'c']);
    reads.ask(['c', 'd']);
    expect(calls).toHaveLength(1);
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

  it('reports a failed read from all(), once it has read what was asked after it', async () => {
    const calls: string[][] = [];
    const reads = new SessionReads((ids): Promise<string[]> => {
      calls.push([...ids]);
      if (ids.includes('bad')) return Promise.reject(new Error('the read failed'));
      return Promise.resolve([...ids]);
    });

    reads.ask(['bad']);
    reads.ask(['good']);
    await expect(reads.all()).rejects.toThrow('the read failed');
    expect(calls).toEqual([['bad'], ['good']]);
  });
});
