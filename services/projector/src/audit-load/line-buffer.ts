/** UTF-8 takes at most three bytes for each UTF-16 code unit. */
const MAX_BYTES_PER_UNIT = 3;

/**
 * Lines of text encoded into one growing buffer as they come, each ending in a newline: no string
 * of all of them is built and encoded again. The buffer is never Node's shared pool, so that what
 * `written()` views can be moved to another thread.
 */
export class LineBuffer {
  private bytes: Buffer<ArrayBuffer>;
  private length = 0;

  constructor(expectedBytes: number) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(expectedBytes, 64));
  }

  push(line: string): void {
    const room = line.length * MAX_BYTES_PER_UNIT + 1;
    if (this.bytes.length - this.length < room) this.grow(room);
    this.length += this.bytes.write(line, this.length, 'utf8');
    this.bytes[this.length++] = 0x0a;
  }

  /** The lines pushed so far: a view of the buffer, not a copy. */
  written(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.length);
  }

  private grow(room: number): void {
    const larger = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.length + room));
    this.bytes.copy(larger, 0, 0, this.length);
    this.bytes = larger;
  }
}
