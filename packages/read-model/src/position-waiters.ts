import type { LogPosition } from '@session-authority/events';

/** The one wait primitive: "the projection has applied the records at these positions". */
export interface ProjectionWatermark {
  /** True once every position is applied; false when `timeoutMs` passes first. */
  waitFor(positions: readonly LogPosition[], timeoutMs: number): Promise<boolean>;
}

interface Waiter {
  /** Per partition, the highest offset still to be applied. */
  readonly pending: Map<number, bigint>;
  readonly resolve: (reached: boolean) => void;
}

/**
 * The bookkeeping of every projection watermark: each partition's next offset as last seen, and
 * the waits that are released as it moves. The PostgreSQL watermark and the in-memory twin both
 * keep theirs with it; only how they learn of new offsets differs.
 */
export class PositionWaiters {
  readonly #next = new Map<number, bigint>();
  readonly #waiters = new Set<Waiter>();

  /** The next offset of a partition as last seen, or -1 when unknown. */
  nextOffset(partition: number): bigint {
    return this.#next.get(partition) ?? -1n;
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  waitFor(positions: readonly LogPosition[], timeoutMs: number): Promise<boolean> {
    const pending = new Map<number, bigint>();
    for (const { partition, offset } of positions) {
      if (this.nextOffset(partition) > offset) continue;
      const highest = pending.get(partition);
      if (highest === undefined || offset > highest) pending.set(partition, offset);
    }
    if (pending.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      const waiter: Waiter = {
        pending,
        resolve: (reached) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(reached);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** The partition's next offset is now `next` (an older value is ignored). */
  advance(partition: number, next: bigint): void {
    if (next <= this.nextOffset(partition)) return;
    this.#next.set(partition, next);
    for (const waiter of this.#waiters) {
      const offset = waiter.pending.get(partition);
      if (offset === undefined || next <= offset) continue;
      waiter.pending.delete(partition);
      if (waiter.pending.size === 0) waiter.resolve(true);
    }
  }

  /** Ends every wait as not reached. */
  giveUpAll(): void {
    for (const waiter of this.#waiters) waiter.resolve(false);
  }
}

/** The last record of each non-empty partition, from log end offsets (one past the last record). */
export function lastPositions(logEnd: ReadonlyMap<number, bigint>): LogPosition[] {
  return [...logEnd]
    .filter(([, end]) => end > 0n)
    .map(([partition, end]) => ({ partition, offset: end - 1n }));
}
