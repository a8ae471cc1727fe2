/**
 * The reads of the sessions a since-checkpoint verification folds, asked for as the log names
 * them, so that they run while the rest of the log is still read: one read at a time, of every
 * session asked for while the one before ran, each session once.
 */
export class SessionReads<T> {
  private readonly asked = new Set<string>();
  private readonly reads: Promise<T>[] = [];
  private pending: string[] = [];
  private running: Promise<unknown> | undefined;

  constructor(private readonly read: (ids: readonly string[]) => Promise<T>) {}

  ask(ids: Iterable<string>): void {
    for (const id of ids)
      if (!this.asked.has(id)) {
        this.asked.add(id);
        this.pending.push(id);
      }
    if (this.running === undefined && this.pending.length > 0) this.next();
  }

  /** Every session asked for so far. */
  askedFor(): ReadonlySet<string> {
    return this.asked;
  }

  /** Every read asked for, once all have run. */
  async all(): Promise<T[]> {
    while (this.running !== undefined) await this.running;
    return Promise.all(this.reads);
  }

  private next(): void {
    const ids = this.pending;
    this.pending = [];
    const read = this.read(ids);
    this.reads.push(read);
    // all() reports a failure; the queue goes on.
    this.running = read
      .catch(() => undefined)
      .then(() => {
        this.running = undefined;
        if (this.pending.length > 0) this.next();
      });
  }
}
