import { describe, expect, it } from 'vitest';
import { freePort } from '../src/free-port.js';

describe('free ports', () => {
  it('never hands out the same port twice in one process', async () => {
    const ports = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
