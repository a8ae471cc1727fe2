const RECENTLY_REVOKED_MAX = 10_000;

/**
 * Concurrent revocations of one session in this replica share one decision, one event and one
 * wait; and a session this replica revoked lately is known to be revoked even by a request that
 * read it before the revocation was applied.
 */
export class RevocationSingleFlight<Outcome> {
  readonly #inFlight = new Map<string, Promise<Outcome>>();
  readonly #recentlyRevoked = new Set<string>();

  /**
   * `work` for this session, unless one is in flight already (then that one's outcome) or this
   * replica revoked it lately (then `revokedLately`'s).
   */
  run(
    sessionId: string,
    work: () => Promise<Outcome>,
    revokedLately: () => Outcome,
  ): Promise<Outcome> {
    const pending = this.#inFlight.get(sessionId);
    if (pending !== undefined) return pending;
    if (this.#recentlyRevoked.has(sessionId)) return Promise.resolve(revokedLately());
    const running = work().finally(() => this.#inFlight.delete(sessionId));
    this.#inFlight.set(sessionId, running);
    return running;
  }

  /** Remembers the latest revocations, the oldest forgotten first. */
  remember(sessionId: string): void {
    this.#recentlyRevoked.add(sessionId);
    if (this.#recentlyRevoked.size <= RECENTLY_REVOKED_MAX) return;
    const oldest = this.#recentlyRevoked.values().next().value;
    if (oldest !== undefined) this.#recentlyRevoked.delete(oldest);
  }
}
