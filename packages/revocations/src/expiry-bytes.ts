// Reading a feed value's expiry from its bytes: a bootstrap reads millions of them.

const EXPIRES_AT = Buffer.from('"expires_at":');
/** Date.prototype.toISOString's form, `YYYY-MM-DDTHH:MM:SS.sssZ`, as offsets of its digits. */
const ISO_LENGTH = 24;
const ISO_SEPARATORS: readonly (readonly [number, number])[] = (
  [
    [4, '-'],
    [7, '-'],
    [10, 'T'],
    [13, ':'],
    [16, ':'],
    [19, '.'],
    [23, 'Z'],
    [24, '"'],
  ] as const
).map(([at, char]) => [at, char.charCodeAt(0)] as const);

/** `count` decimal digits of the bytes from `at`, or NaN. */
function digits(bytes: Buffer, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = (bytes[i] ?? 0) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The instant an ISO text in toISOString's form at `at` names, read from its digits without a
 * string; undefined when the bytes are in any other form (then Date.parse reads them).
 */
function isoMsAt(bytes: Buffer, at: number): number | undefined {
  if (bytes.length < at + ISO_LENGTH + 1) return undefined;
  for (const [offset, code] of ISO_SEPARATORS) if (bytes[at + offset] !== code) return undefined;
  const year = digits(bytes, at, 4);
  const month = digits(bytes, at + 5, 2);
  const day = digits(bytes, at + 8, 2);
  const hours = digits(bytes, at + 11, 2);
  const minutes = digits(bytes, at + 14, 2);
  const seconds = digits(bytes, at + 17, 2);
  const ms = digits(bytes, at + 20, 3);
  // Within these ranges Date.UTC and Date.parse agree (both roll 02-31 over into March; Date.UTC
  // reads years below 100 as 19xx); outside them, or on a digit that is not one, Date.parse decides.
  const inRange =
    year >= 1000 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31 &&
    hours <= 23 &&
    minutes <= 59 &&
    seconds <= 59;
  return inRange && Number.isFinite(ms)
    ? Date.UTC(year, month - 1, day, hours, minutes, seconds, ms)
    : undefined;
}
const QUOTE = 0x22;
export const NOT_FOUND = Symbol('not found');

/**
 * A revocation's expiry read from its bytes as the projector's JSON.stringify writes them
 * (`"expires_at":"<ISO>"` or `"expires_at":null`, before any field that could hold the text), so
 * that a bootstrap of millions of records parses no JSON; NOT_FOUND when they are otherwise.
 */
export function expiryInBytes(value: Buffer): number | undefined | typeof NOT_FOUND {
  const at = value.indexOf(EXPIRES_AT);
  if (at < 0) return NOT_FOUND;
  const start = at + EXPIRES_AT.length;
  if (value[start] === QUOTE) {
    const iso = isoMsAt(value, start + 1);
    if (iso !== undefined) return iso;
    const end = value.indexOf(QUOTE, start + 1);
    const ms = end < 0 ? NaN : Date.parse(value.toString('latin1', start + 1, end));
    return Number.isFinite(ms) ? ms : NOT_FOUND;
  }
  return value.toString('latin1', start, start + 4) === 'null' ? undefined : NOT_FOUND;
}
