import { describe, expect, it } from 'vitest';
import { ForbiddenLimiter } from '../src/http/forbidden-limiter.js';

describe('ForbiddenLimiter', () => {
  it('lets a client through until its 403s reach the limit, then says how long to wait', () => {
    let now = 1_000_000;
    const limiter = new ForbiddenLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
      limiter.recordForbidden('10.0.0.1');
    }
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(60);
    now += 45_500;
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(15);
    expect(limiter.retryAfterSeconds('10.0.0.2')).toBe(0);
  });

  it('forgets a client once its window has passed', () => {
    let now = 0;
    const limiter = new ForbiddenLimiter(1, 1000, () => now);
    limiter.recordForbidden('a');
    expect(limiter.retryAfterSeconds('a')).toBe(1);
    now = 1000;
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    limiter.recordForbidden('a');
    expect(limiter.retryAfterSeconds('a')).toBe(1);
  });
});
