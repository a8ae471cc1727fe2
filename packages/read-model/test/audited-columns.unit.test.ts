import { describe, expect, it } from 'vitest';
import { canonicalColumns } from '../src/audited-columns.js';

describe('canonicalColumns', () => {
  it('prints data as PostgreSQL prints jsonb: keys shorter in bytes first, then in byte order', () => {
    // What `select '{"é":1,"ab":2,"b":3,"zz":4,"Z":5,"":6}'::jsonb::text` prints.
    const data = { é: 1, ab: 2, b: 3, zz: 4, Z: 5, '': 6 };
    expect(canonicalColumns(['data'], { data }).data).toBe(
      '{"": 6, "Z": 5, "b": 3, "ab": 2, "zz": 4, "é": 1}',
    );
  });

  it('orders nested objects and arrays the same way', () => {
    const data = { list: [{ bb: true, a: null }], id: 'x' };
    expect(canonicalColumns(['data'], { data }).data).toBe(
      '{"id": "x", "list": [{"a": null, "bb": true}]}',
    );
  });

  it('orders each object by its own keys, also when two sets of keys join to the same text', () => {
    // Objects of one shape share an ordering; keys holding a NUL must not borrow another's.
    const first = { 'a\u0000b': 1, c: 2 };
    const second = { a: 1, 'b\u0000c': 2 };
    const printed = [first, second, first].map((data) => canonicalColumns(['data'], { data }).data);
    expect(printed).toEqual([
      '{"c": 2, "a\\u0000b": 1}',
      '{"a": 1, "b\\u0000c": 2}',
      '{"c": 2, "a\\u0000b": 1}',
    ]);
  });
});
