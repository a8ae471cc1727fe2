/** waitFor was given a text that is not a `Session-Log-Position` header. */
export class MalformedPositionError extends Error {
  constructor() {
    super('not a Session-Log-Position header: partition:offset[,partition:offset…]');
    this.name = 'MalformedPositionError';
  }
}

/** waitFor gave up: the client had not applied the positions within the time given. */
export class PositionTimeoutError extends Error {
  constructor(header: string, timeoutMs: number) {
    super(`log position ${header} not reached within ${timeoutMs} ms`);
    this.name = 'PositionTimeoutError';
  }
}

interface Waiter {
  readonly positions: ReadonlyMap<number, bigint>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Per log partition, the next offset the client will apply, and the waits for positions that are
 * released as it moves. The authority keeps the same bookkeeping for its projection (a contract
 * test runs both on the same sequence); the client keeps its own copy to depend on nothing of it.
 */
export class PositionWaits {
  readonly #next = new Map<number, bigint>();
  readonly #waiters = new Set<Waiter>();
  #failure: Error | undefined;

  /** The next offset to apply in a partition: everything below it is applied. */
  next(partition: number): bigint {
    return this.#next.get(partition) ?? 0n;
  }

  entries(): ReadonlyMap<number, bigint> {
    return new Map(this.#next);
  }

  /** Every position below its partition's next offset. */
  reached(positions: ReadonlyMap<number, bigint>): boolean {
    for (const [partition, offset] of positions) if (this.next(partition) <= offset) return false;
    return true;
  }

  /** Moves a partition to `next` and releases the waits that are now reached. */
  set(partition: number, next: bigint): void {
    this.#next.set(partition, next);
    for (const waiter of this.#waiters) {
      if (!this.reached(waiter.positions)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve();
    }
  }

  /** Resolves once every position is reached; rejects with `timeout.error()` after its time. */
  wait(
    positions: ReadonlyMap<number, bigint>,
    timeout?: { readonly ms: number; readonly error: () => Error },
  ): Promise<void> {
    if (this.reached(positions)) return Promise.resolve();
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        positions,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      if (timeout !== undefined)
        timer = setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(timeout.error());
        }, timeout.ms);
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every wait, now and from now on, with `error`. */
  fail(error: Error): void {
    this.#failure = error;
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters.clear();
  }
}
