import type { FastifyBaseLogger } from 'fastify';

/**
 * What a replica's log says about the writes it sheds: one line when it starts, one every
 * `intervalMs` with how many it refused meanwhile, one when a whole interval passed without any.
 * A line per refused request would be thousands a second in an overload: a flood that buries
 * every other line of the log (writes_refused_total counts them one by one).
 */
export class SheddingLog {
  #refused = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: FastifyBaseLogger,
    private readonly intervalMs = 10_000,
  ) {}

  refused(): void {
    this.#refused += 1;
    if (this.#timer !== undefined) return;
    this.logger.warn('shedding writes: answering 503 until the writes in flight are confirmed');
    this.#refused = 0;
    this.#arm();
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      const refused = this.#refused;
      this.#refused = 0;
      if (refused === 0) {
        this.#timer = undefined;
        this.logger.warn('stopped shedding writes');
        return;
      }
      this.logger.warn({ refused, seconds: this.intervalMs / 1000 }, 'still shedding writes');
      this.#arm();
    }, this.intervalMs).unref();
  }
}
