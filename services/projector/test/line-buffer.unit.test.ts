import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../src/audit-load/line-buffer.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('LineBuffer', () => {
  it('encodes each line as UTF-8 and ends it with a newline, growing past its first size', () => {
    const lines = new LineBuffer(8);
    const pushed = ['plain', 'é ü 😀 \u2028', 'x'.repeat(500), '', 'tab\there'];
    for (const line of pushed) lines.push(line);
    expect(text(lines.written())).toBe(pushed.map((line) => `${line}\n`).join(''));
  });

  it('views memory of its own, which can be moved to another thread', () => {
    const lines = new LineBuffer(1024);
    lines.push('short');
    const view = lines.written();
    const moved = structuredClone(view, { transfer: [view.buffer] });
    expect(text(moved)).toBe('short\n');
    expect(view.buffer.byteLength).toBe(0); // detached here: it was moved, not copied
  });
});
