import pg from 'pg';
import { OFFSETS_CHANNEL, type OffsetNotice } from './projection-store.js';
import { qualified } from './sql.js';

/** How the listener's connection shows in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'session-authority projection listener';

/** A record's place in the log: the partition and its offset there. */
export interface Position {
  readonly partition: number;
  readonly offset: bigint;
}

/** The one wait primitive: "the projection has applied the records at these positions". */
export interface ProjectionWaiter {
  /** True once every position is applied; false when `timeoutMs` passes first. */
  waitFor(positions: readonly Position[], timeoutMs: number): Promise<boolean>;
}

/** The last record of each non-empty partition, from log end offsets (one past the last record). */
export function lastPositions(logEnd: ReadonlyMap<number, bigint>): Position[] {
  return [...logEnd]
    .filter(([, end]) => end > 0n)
    .map(([partition, end]) => ({ partition, offset: end - 1n }));
}

export interface WatermarkOptions {
  readonly url: string;
  readonly schema: string;
  readonly projection: string;
  readonly topic: string;
  /** Fallback poll interval while someone waits, for a lost or late notification. */
  readonly pollMs: number;
  /** First and longest pause between reconnection attempts; each pause is jittered. */
  readonly reconnectMs?: { readonly min: number; readonly max: number };
  readonly onError?: (error: unknown) => void;
}

interface Waiter {
  readonly pending: Map<number, bigint>;
  readonly resolve: (reached: boolean) => void;
}

/**
 * Follows a projection's offsets: one LISTEN connection per process serves every waiter, a poll of
 * projection_offsets backs it up while anyone waits, and a dropped connection is re-opened by
 * itself with jittered exponential backoff, whether or not anyone waits.
 */
export class ProjectionWatermark implements ProjectionWaiter {
  readonly #options: WatermarkOptions;
  readonly #next = new Map<number, bigint>();
  readonly #waiters = new Set<Waiter>();
  #client: pg.Client | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: WatermarkOptions) {
    this.#options = options;
  }

  /** Connects once; a failure here is the caller's (a service refuses to start without it). */
  async start(): Promise<void> {
    await this.#connect();
  }

  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** The projection's next offset for a partition as last seen, or -1 when unknown. */
  nextOffset(partition: number): bigint {
    return this.#next.get(partition) ?? -1n;
  }

  waitFor(positions: readonly Position[], timeoutMs: number): Promise<boolean> {
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
      this.#schedulePoll();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#reconnectTimer);
    for (const waiter of this.#waiters) waiter.resolve(false);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.url,
      keepAlive: true,
      application_name: LISTENER_APPLICATION_NAME,
    });
    client.on('notification', (message) => {
      if (message.channel === OFFSETS_CHANNEL && message.payload !== undefined)
        this.#onNotice(message.payload);
    });
    const dropped = (error?: unknown) => {
      if (error !== undefined) this.#options.onError?.(error);
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => undefined);
      this.#scheduleReconnect();
    };
    client.on('error', dropped);
    client.on('end', () => dropped());
    try {
      await client.connect();
      await client.query(`listen ${OFFSETS_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#failures = 0;
    // Whatever was committed before LISTEN took effect is read here.
    await this.#poll().catch((error: unknown) => this.#options.onError?.(error));
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer !== undefined) return;
    const { min, max } = this.#options.reconnectMs ?? { min: 100, max: 5000 };
    const ceiling = Math.min(max, min * 2 ** this.#failures);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect().catch((error: unknown) => {
        this.#failures += 1;
        this.#options.onError?.(error);
        this.#scheduleReconnect();
      });
    }, delay);
  }

  #onNotice(payload: string): void {
    let notice: OffsetNotice;
    try {
      notice = JSON.parse(payload) as OffsetNotice;
    } catch {
      return;
    }
    if (notice.projection !== this.#options.projection || notice.topic !== this.#options.topic)
      return;
    this.#advance(notice.partition, BigInt(notice.next));
  }

  #advance(partition: number, next: bigint): void {
    if (next <= this.nextOffset(partition)) return;
    this.#next.set(partition, next);
    for (const waiter of this.#waiters) {
      const offset = waiter.pending.get(partition);
      if (offset === undefined || next <= offset) continue;
      waiter.pending.delete(partition);
      if (waiter.pending.size === 0) waiter.resolve(true);
    }
  }

  #schedulePoll(): void {
    if (this.#pollTimer !== undefined || this.#closed) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      if (this.#waiters.size === 0) return;
      this.#poll()
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => {
          if (this.#waiters.size > 0) this.#schedulePoll();
        });
    }, this.#options.pollMs);
  }

  async #poll(): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    const result = await client.query<{ partition: number; next_offset: string }>(
      `select partition, next_offset from ${qualified(this.#options.schema, 'projection_offsets')}
       where projection = $1 and topic = $2`,
      [this.#options.projection, this.#options.topic],
    );
    for (const row of result.rows) this.#advance(row.partition, BigInt(row.next_offset));
  }
}
