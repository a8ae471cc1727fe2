/** At most `limit` things out at once; any number of callers may wait for room together. */
export class Credits {
  private out = 0;
  private waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async take(): Promise<void> {
    while (this.out >= this.limit) await new Promise<void>((wake) => this.waiting.push(wake));
    this.out += 1;
  }

  /** One thing is back: every caller waiting tries again (one of them gets the room). */
  give(): void {
    this.out -= 1;
    const woken = this.waiting;
    this.waiting = [];
    for (const wake of woken) wake();
  }
}
