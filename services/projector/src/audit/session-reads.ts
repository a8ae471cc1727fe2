/**
 * The reads of the sessions a since-checkpoint verification folds, asked for as the log names
 * them, so that they run while the rest of the log is still read. They share the snapshot's
 * connection: one read at a time, of every session asked for while the one before ran, each
 * session once.
 */
export class SessionReads<T> {
  private readonly asked = new Set<string>();
  private readonly reads: Promise<T>[] = [];
  private pending: string[] = [];
  private running = false;
  private last: Promise<unknown>;

  constructor(
    private readonly read: (ids: readonly string[]) => Promise<T>,
    /** What must be done on that connection first. */
    after: Promise<unknown>,
  ) {
    this.last = after.catch(() => undefined);
  }

  ask(ids: Iterable<string>): void {
    for (const id of ids)
      if (!this.asked.has(id)) {
        this.asked.add(id);
        this.pending.push(id);
      }
    if (!this.running && this.pending.length > 0) this.next();
  }

  /** Every session asked for so far. */
  askedFor(): ReadonlySet<string> {
    return this.asked;
  }

  /** Every read asked for, once all have run. */
  async all(): Promise<T[]> {
    await this.settled();
    return Promise.all(this.reads);
  }

  /** Once what came first and every read are done (before the connection is given back). */
  async settled(): Promise<void> {
    do await this.last;
    while (this.running);
  }

  private next(): void {
    const ids = this.pending;
    this.pending = [];
    this.running = true;
    const read = this.last.then(() => this.read(ids));
    this.reads.push(read);
    // all() reports a failure; the queue goes on.
    this.last = read
      .catch(() => undefined)
      .then(() => {
        this.running = false;
        if (this.pending.length > 0) this.next();
      });
  }
}
