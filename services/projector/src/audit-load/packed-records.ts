import type { PositionedRecord } from '@session-authority/events';

/**
 * A batch of log records in one buffer, so that it moves to a worker thread without a copy per
 * field: per record its offset, timestamp, key, value and headers, each length-prefixed.
 */
export function packRecords(records: readonly PositionedRecord[]): Buffer {
  let size = 0;
  for (const { record } of records) {
    size += 8 + 8 + 4 + (record.key?.length ?? 0) + 4 + (record.value?.length ?? 0) + 2;
    for (const name in record.headers) {
      const value = record.headers[name];
      if (value !== undefined) size += 2 + Buffer.byteLength(name) + 4 + Buffer.byteLength(value);
    }
  }
  // Its own memory, never a slice of the shared pool: the buffer is transferred, not copied.
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  const bytes = (data: Buffer | string | null) => {
    if (data === null) at = out.writeInt32BE(-1, at);
    else if (typeof data === 'string') {
      const length = out.write(data, at + 4);
      at = out.writeInt32BE(length, at) + length;
    } else at = out.writeInt32BE(data.length, at) + data.copy(out, at + 4);
  };
  for (const { offset, timestamp, record } of records) {
    at = out.writeBigInt64BE(offset, at);
    at = out.writeDoubleBE(timestamp.getTime(), at);
    bytes(record.key);
    bytes(record.value);
    const names = Object.keys(record.headers).filter((n) => record.headers[n] !== undefined);
    at = out.writeUInt16BE(names.length, at);
    for (const name of names) {
      const length = out.write(name, at + 2);
      at = out.writeUInt16BE(length, at) + length;
      bytes(record.headers[name] ?? null);
    }
  }
  return out;
}

/** The records packRecords packed; keys, values and headers are views of `packed`. */
export function unpackRecords(packed: Buffer): PositionedRecord[] {
  const records: PositionedRecord[] = [];
  let at = 0;
  const bytes = (): Buffer | null => {
    const length = packed.readInt32BE(at);
    at += 4;
    if (length < 0) return null;
    at += length;
    return packed.subarray(at - length, at);
  };
  while (at < packed.length) {
    const offset = packed.readBigInt64BE(at);
    const timestamp = new Date(packed.readDoubleBE(at + 8));
    at += 16;
    const key = bytes();
    const value = bytes();
    const headers: Record<string, Buffer> = {};
    const count = packed.readUInt16BE(at);
    at += 2;
    for (let i = 0; i < count; i++) {
      const length = packed.readUInt16BE(at);
      const name = packed.toString('utf8', at + 2, at + 2 + length);
      at += 2 + length;
      headers[name] = bytes() ?? Buffer.alloc(0);
    }
    records.push({ offset, timestamp, record: { key, value, headers } });
  }
  return records;
}
