import { describe, expect, it } from 'vitest';
import { newClusterId } from '../src/kafka/cluster-id.js';

describe('KRaft cluster ids', () => {
  it('never begin with "-", over many generated ids', () => {
    for (let i = 0; i < 20_000; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });

  it('draws again when the bytes would give a leading "-"', () => {
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x01)];
    const id = newClusterId(() => draws.shift() ?? Buffer.alloc(16));
    expect(Buffer.alloc(16, 0xfb).toString('base64url')).toMatch(/^-/);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
  });
});
