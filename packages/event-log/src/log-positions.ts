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
