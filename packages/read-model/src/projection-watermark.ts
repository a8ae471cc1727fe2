import type { LogPosition } from '@session-authority/events';
import pg from 'pg';
import { OFFSETS_CHANNEL, parseOffsetNotice } from './offsets-notice.js';
import { PositionWaiters, type ProjectionWatermark } from './position-waiters.js';
import { qualified } from './sql.js';

/** How the watermark's connection shows in pg_stat_activity. */
export const WATERMARK_APPLICATION_NAME = 'session-authority projection watermark';

export interface ProjectionWatermarkOptions {
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

/**
 * Follows a projection's offsets: one LISTEN connection per process serves every waiter, a poll of
 * projection_offsets backs it up while anyone waits, and a dropped connection is re-opened by
 * itself with jittered exponential backoff, whether or not anyone waits.
 */
export class PostgresProjectionWatermark implements ProjectionWatermark {
  readonly #options: ProjectionWatermarkOptions;
  readonly #waiters = new PositionWaiters();
  #client: pg.Client | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: ProjectionWatermarkOptions) {
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
    return this.#waiters.nextOffset(partition);
  }

  waitFor(positions: readonly LogPosition[], timeoutMs: number): Promise<boolean> {
    const reached = this.#waiters.waitFor(positions, timeoutMs);
    if (this.#waiters.waiting > 0) this.#schedulePoll();
    return reached;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#reconnectTimer);
    this.#waiters.giveUpAll();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.url,
      keepAlive: true,
      application_name: WATERMARK_APPLICATION_NAME,
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
    const notice = parseOffsetNotice(payload);
    const { projection, topic } = this.#options;
    if (notice?.projection !== projection || notice.topic !== topic) return;
    this.#waiters.advance(notice.partition, BigInt(notice.next));
  }

  #schedulePoll(): void {
    if (this.#pollTimer !== undefined || this.#closed) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      if (this.#waiters.waiting === 0) return;
      this.#poll()
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => {
          if (this.#waiters.waiting > 0) this.#schedulePoll();
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
    for (const row of result.rows) this.#waiters.advance(row.partition, BigInt(row.next_offset));
  }
}
