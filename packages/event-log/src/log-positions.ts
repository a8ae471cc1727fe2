import type { LogPosition } from './types.js';

/** The `Session-Log-Position` header: `partition:offset[,partition:offset…]`, one per partition, the highest. */
export function formatLogPositions(positions: readonly LogPosition[]): string {
  const highest = new Map<number, bigint>();
  for (const { partition, offset } of positions) {
    const seen = highest.get(partition);
    if (seen === undefined || offset > seen) highest.set(partition, offset);
  }
  return [...highest]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => `${partition}:${offset}`)
    .join(',');
}

const POSITION = /^(\d{1,9}):(\d{1,19})$/;

/** The inverse of formatLogPositions; undefined when the text is not such a header. */
export function parseLogPositions(text: string): LogPosition[] | undefined {
  const positions: LogPosition[] = [];
  for (const part of text.split(',')) {
    const match = POSITION.exec(part.trim());
    if (match === null) return undefined;
    positions.push({ partition: Number(match[1]), offset: BigInt(match[2] ?? '0') });
  }
  return positions;
}
