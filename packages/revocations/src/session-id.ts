/** Session ids as the revocations client reads them: four 32-bit words, no strings kept. */

export const WORDS = 4;

/** The expiry of an entry whose session's expiry is unknown: it stays until it is removed. */
export const NEVER = 0xffffffff;

/** Each ASCII code's hex value, -1 for what is not a hex digit. */
const HEX = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX[digit.toString(16).charCodeAt(0)] = digit;
  HEX[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
}

/** `count` hex digits of `id` from `start` as one number, or -1. */
function digitsAt(id: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = HEX[id.charCodeAt(i)] ?? -1;
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  return value >>> 0;
}

/**
 * Reads a session id into four words of `into`; false when it is not a UUID. No regular
 * expression and no substrings: a bootstrap reads a million of them.
 */
export function readWords(id: string, into: Uint32Array): boolean {
  if (id.length !== 36) return false;
  const dash = 45;
  if (
    id.charCodeAt(8) !== dash ||
    id.charCodeAt(13) !== dash ||
    id.charCodeAt(18) !== dash ||
    id.charCodeAt(23) !== dash
  )
    return false;
  // xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: 8 digits, 4 + 4, 4 + 4, the last 8.
  const parts = [
    digitsAt(id, 0, 8),
    digitsAt(id, 9, 4),
    digitsAt(id, 14, 4),
    digitsAt(id, 19, 4),
    digitsAt(id, 24, 4),
    digitsAt(id, 28, 8),
  ];
  if (parts.some((part) => part < 0)) return false;
  const [w0 = 0, a1 = 0, a2 = 0, b1 = 0, b2 = 0, w3 = 0] = parts;
  into[0] = w0;
  into[1] = ((a1 << 16) | a2) >>> 0;
  into[2] = ((b1 << 16) | b2) >>> 0;
  into[3] = w3;
  return true;
}

const scratch = new Uint32Array(WORDS);

/** Whether the text is a session id (a UUID, in either case); no regular expression either. */
export const isSessionId = (text: string): boolean => readWords(text, scratch);

/** A session id as four words, or undefined when it is not a UUID. */
export function sessionIdWords(id: string): [number, number, number, number] | undefined {
  const words = new Uint32Array(WORDS);
  return readWords(id, words)
    ? [words[0] ?? 0, words[1] ?? 0, words[2] ?? 0, words[3] ?? 0]
    : undefined;
}

/** Seconds since the epoch, rounded up, so an entry never leaves before its expiry. */
export function expirySeconds(expiresAtMs: number | undefined): number {
  if (expiresAtMs === undefined || !Number.isFinite(expiresAtMs)) return NEVER;
  return Math.min(NEVER - 1, Math.max(1, Math.ceil(expiresAtMs / 1000)));
}
