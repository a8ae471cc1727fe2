import pg from 'pg';
import { OFFSETS_CHANNEL, type OffsetNotice } from './projection-store.js';
import { qualified } from './sql.js';

export interface WatermarkOptions {
  readonly url: string;
  readonly schema: string;
  readonly projection: string;
  readonly topic: string;
  /** Fallback poll interval while someone waits, for a lost or late notification. */
  readonly pollMs: number;
  readonly onError?: (error: unknown) => void;
}

interface Waiter {
  readonly partition: number;
  readonly offset: bigint;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Tells the API when the projection has applied a given log position. One LISTEN connection per
 * process serves every waiter; a poll of projection_offsets backs it up.
 */
export class ProjectionWatermark {
  readonly #options: WatermarkOptions;
  readonly #next = new Map<number, bigint>();
  readonly #waiters = new Set<Waiter>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: WatermarkOptions) {
    this.#options = options;
  }

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

  /** Resolves true once the record at (partition, offset) is applied, false when `timeoutMs` passes first. */
  waitFor(partition: number, offset: bigint | string, timeoutMs: number): Promise<boolean> {
    const target = BigInt(offset);
    if (this.nextOffset(partition) > target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        partition,
        offset: target,
        resolve: (reached) => {
          clearTimeout(waiter.timer);
          this.#waiters.delete(waiter);
          resolve(reached);
        },
        timer: setTimeout(() => {
          waiter.resolve(false);
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
      this.#schedulePoll();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    for (const waiter of this.#waiters) waiter.resolve(false);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #connect(): Promise<void> {
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.#options.url });
      client.on('notification', (message) => {
        if (message.channel === OFFSETS_CHANNEL && message.payload !== undefined) {
          this.#onNotice(message.payload);
        }
      });
      client.on('error', (error) => {
        this.#options.onError?.(error);
        if (this.#client === client) this.#client = undefined;
        client.end().catch(() => undefined);
      });
      try {
        await client.connect();
        await client.query(`listen ${OFFSETS_CHANNEL}`);
        this.#client = client;
        // Whatever was committed before LISTEN took effect is read here.
        await this.#poll();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
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
      if (waiter.partition === partition && next > waiter.offset) waiter.resolve(true);
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
    if (this.#client === undefined) {
      if (this.#closed) return;
      await this.#connect();
      return;
    }
    const result = await this.#client.query<{ partition: number; next_offset: string }>(
      `select partition, next_offset from ${qualified(this.#options.schema, 'projection_offsets')}
       where projection = $1 and topic = $2`,
      [this.#options.projection, this.#options.topic],
    );
    for (const row of result.rows) this.#advance(row.partition, BigInt(row.next_offset));
  }
}
