import { createHash } from 'node:crypto';

/** Kratos's session token format: `ory_st_` and 32 alphanumerics. */
export const TOKEN_PREFIX = 'ory_st_';
export const TOKEN_BODY_LENGTH = 32;
const TOKEN_PATTERN = /^ory_st_[A-Za-z0-9]{32}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// The largest multiple of 62 that fits in a byte; bytes at or above it are rejected so that
// every character is equally likely.
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);

export type RandomBytes = (size: number) => Uint8Array;

export function isWellFormedToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/** A new token from a CSPRNG (pass `crypto.randomBytes`). */
export function generateToken(randomBytes: RandomBytes): string {
  let body = '';
  while (body.length < TOKEN_BODY_LENGTH) {
    for (const byte of randomBytes(TOKEN_BODY_LENGTH)) {
      if (byte >= UNBIASED_LIMIT) continue;
      body += ALPHABET.charAt(byte % ALPHABET.length);
      if (body.length === TOKEN_BODY_LENGTH) break;
    }
  }
  return TOKEN_PREFIX + body;
}

/** What is stored and published instead of the token: lower-case hex SHA-256. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
