import { hash } from 'node:crypto';
import type { RawRecord } from '@session-authority/events';

/** The chain of a partition starts from 32 zero bytes. */
export const CHAIN_START = '0'.repeat(64);

function bytes(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

const NONE = 0xffffffff;

// Header names repeat on every record (ce_id, ce_type, …): their bytes are made once.
const names = new Map<string, Buffer>();
function nameBytes(name: string): Buffer {
  let encoded = names.get(name);
  if (encoded === undefined) {
    encoded = Buffer.from(name, 'utf8');
    if (names.size < 256) names.set(name, encoded);
  }
  return encoded;
}

// Records carry the same header names in the same order: each such list is sorted once.
const sortedLists = new Map<string, readonly string[]>();

/** The header names in the order of their UTF-8 bytes. */
function sortedNames(headers: RawRecord['headers']): readonly string[] {
  const keys = Object.keys(headers);
  const byBytes = (a: string, b: string) => Buffer.compare(nameBytes(a), nameBytes(b));
  // Names holding a NUL could join like other names: those are sorted every time.
  if (keys.some((key) => key.includes('\u0000'))) return keys.sort(byBytes);
  const list = keys.join('\u0000');
  const known = sortedLists.get(list);
  if (known !== undefined) return known;
  const sorted = keys.sort(byBytes);
  if (sortedLists.size < 256) sortedLists.set(list, sorted);
  return sorted;
}

/**
 * SHA-256 of the canonical encoding of one log record: partition (4 bytes), offset (8 bytes),
 * key, the headers sorted by name (count, then name and value of each), value; every field
 * length-prefixed with 4 big-endian bytes (0xffffffff for none), so no two different records
 * encode alike. Hex, lower case. One buffer per record: verify hashes a million of them.
 */
export function recordSha256(partition: number, offset: bigint, record: RawRecord): string {
  const headers: [Buffer, Buffer][] = [];
  for (const name of sortedNames(record.headers)) {
    const encoded = bytes(record.headers[name]);
    if (encoded !== null) headers.push([nameBytes(name), encoded]);
  }
  const key = bytes(record.key);
  const value = bytes(record.value);
  let size = 12 + 4 + (key?.length ?? 0) + 4 + 4 + (value?.length ?? 0);
  for (const [name, data] of headers) size += 8 + name.length + data.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt32BE(partition, 0);
  at = out.writeBigUInt64BE(offset, at);
  const field = (data: Buffer | null) => {
    at = out.writeUInt32BE(data === null ? NONE : data.length, at);
    if (data !== null) at += data.copy(out, at);
  };
  field(key);
  at = out.writeUInt32BE(headers.length, at);
  for (const [name, data] of headers) {
    field(name);
    field(data);
  }
  field(value);
  return hash('sha256', out, 'hex');
}

/** chain(n) = SHA-256(chain(n-1) ‖ record(n)), both as 32 raw bytes; hex in and out. */
export function chainNext(previous: string, record: string): string {
  return hash('sha256', Buffer.from(previous + record, 'hex'), 'hex');
}
