/**
 * Counts 403 answers of the logout endpoint per client in fixed windows; a client past the limit
 * gets 429 until its window ends. It slows token guessing without touching honest clients.
 */
export class ForbiddenLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Seconds until the client may try again, or 0 when it may go on now. */
  retryAfterSeconds(client: string): number {
    const window = this.#current(client);
    if (window === undefined || window.count < this.#limit) return 0;
    return Math.max(1, Math.ceil((window.start + this.#windowMs - this.#now()) / 1000));
  }

  recordForbidden(client: string): void {
    const now = this.#now();
    const window = this.#current(client);
    if (window === undefined) {
      if (this.#windows.size > 100_000) this.#sweep(now);
      this.#windows.set(client, { start: now, count: 1 });
    } else {
      window.count += 1;
    }
  }

  #current(client: string): { start: number; count: number } | undefined {
    const window = this.#windows.get(client);
    if (window === undefined) return undefined;
    if (this.#now() - window.start >= this.#windowMs) {
      this.#windows.delete(client);
      return undefined;
    }
    return window;
  }

  #sweep(now: number): void {
    for (const [client, window] of this.#windows) {
      if (now - window.start >= this.#windowMs) this.#windows.delete(client);
    }
  }
}
