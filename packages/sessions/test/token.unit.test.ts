import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateToken, isWellFormedToken, tokenDigest } from '@session-authority/sessions';

describe('session tokens', () => {
  it('are ory_st_ and 32 alphanumerics from the CSPRNG', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => generateToken(randomBytes)));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
  });

  it('skip random bytes that would bias the alphabet', () => {
    // 248..255 are rejected; 0 is "A", 61 is "9".
    const bytes = [255, 250, 248, 0, 61, ...Array<number>(40).fill(1)];
    const token = generateToken((size) => Uint8Array.from(bytes.splice(0, size)));
    expect(token).toBe(`ory_st_A9${'B'.repeat(30)}`);
  });

  it.each([
    ['ory_st_' + 'a'.repeat(32), true],
    ['ory_st_' + 'a'.repeat(31), false],
    ['ory_st_' + 'a'.repeat(33), false],
    ['ory_st_' + 'a'.repeat(31) + '-', false],
    ['ory_ht_' + 'a'.repeat(32), false],
    [' ory_st_' + 'a'.repeat(32), false],
    ['', false],
    [null, false],
    [42, false],
  ])('%j well-formed: %s', (value, expected) => {
    expect(isWellFormedToken(value)).toBe(expected);
  });

  it('are stored as their lower-case hex SHA-256 digest', () => {
    const token = generateToken(randomBytes);
    expect(tokenDigest(token)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(tokenDigest(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('runtime', () => {
  it('runs on the pinned Node 24 inside npm scripts', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });
});
