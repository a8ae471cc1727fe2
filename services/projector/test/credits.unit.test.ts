import { describe, expect, it } from 'vitest';
import { Credits } from '../src/audit-load/credits.js';

describe('Credits', () => {
  it('lets every waiting caller through as things come back, however many wait at once', async () => {
    const credits = new Credits(1);
    await credits.take();
    const through: string[] = [];
    const a = credits.take().then(() => through.push('a'));
    const b = credits.take().then(() => through.push('b'));
    const c = credits.take().then(() => through.push('c'));
    await Promise.resolve();
    expect(through).toEqual([]);
    credits.give();
    await a;
    expect(through).toEqual(['a']);
    credits.give();
    await b;
    credits.give();
    await c;
    expect(through).toEqual(['a', 'b', 'c']);
  });

  it('never lets more than the limit out', async () => {
    const credits = new Credits(2);
    let out = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        await credits.take();
        out += 1;
        most = Math.max(most, out);
        await new Promise<void>((resolve) => setImmediate(resolve));
        out -= 1;
        credits.give();
      }),
    );
    expect(most).toBe(2);
  });
});
