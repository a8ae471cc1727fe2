import { createHash } from 'node:crypto';
import type { RawRecord } from '@session-authority/events';

/** The chain of a partition starts from 32 zero bytes. */
export const CHAIN_START = '0'.repeat(64);

function bytes(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** A length-prefixed field: 4-byte big-endian length (0xffffffff for none), then the bytes. */
function field(value: Buffer | null): Buffer[] {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(value === null ? 0xffffffff : value.length);
  return value === null ? [length] : [length, value];
}

/**
 * SHA-256 of the canonical encoding of one log record: partition (4 bytes), offset (8 bytes),
 * key, the headers sorted by name (count, then name and value of each), value; every field
 * length-prefixed, so no two different records encode alike. Hex, lower case.
 */
export function recordSha256(partition: number, offset: bigint, record: RawRecord): string {
  const position = Buffer.alloc(12);
  position.writeUInt32BE(partition, 0);
  position.writeBigUInt64BE(offset, 4);
  const headers = Object.entries(record.headers)
    .filter((entry): entry is [string, Buffer | string] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const count = Buffer.alloc(4);
  count.writeUInt32BE(headers.length);
  const parts = [
    position,
    ...field(bytes(record.key)),
    count,
    ...headers.flatMap(([name, value]) => [...field(bytes(name)), ...field(bytes(value))]),
    ...field(bytes(record.value)),
  ];
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/** chain(n) = SHA-256(chain(n-1) ‖ record(n)), both as 32 raw bytes; hex in and out. */
export function chainNext(previous: string, record: string): string {
  return createHash('sha256')
    .update(Buffer.from(previous, 'hex'))
    .update(Buffer.from(record, 'hex'))
    .digest('hex');
}
