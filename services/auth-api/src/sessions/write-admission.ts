export interface AdmissionLimits {
  /** Writes in flight beyond which the next one is refused. */
  readonly maxPending: number;
  /** Once the oldest write in flight has waited this long, new ones are refused until it is done. */
  readonly maxWaitMs: number;
}

/**
 * Load shedding for one replica's writes. Past either limit the replica is queueing faster than
 * the log and the projection confirm; a refused write answers 503 at once instead of joining a
 * queue whose every answer would come late. The age of the oldest write sees that sooner than
 * any count under an open-loop overload.
 */
export class WriteAdmission {
  /** Start times by ticket, in the order the writes entered: the first is the oldest. */
  readonly #started = new Map<number, number>();
  #nextTicket = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** A ticket to give back with leave(), or undefined when the write is refused. */
  enter(): number | undefined {
    if (this.#started.size >= this.limits.maxPending) return undefined;
    const oldest = this.#started.values().next().value;
    if (oldest !== undefined && this.clock() - oldest > this.limits.maxWaitMs) return undefined;
    const ticket = this.#nextTicket++;
    this.#started.set(ticket, this.clock());
    return ticket;
  }

  leave(ticket: number): void {
    this.#started.delete(ticket);
  }
}
