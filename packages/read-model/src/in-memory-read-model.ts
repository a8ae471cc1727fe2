import type { PositionedEvent, QuarantinedRecord } from '@session-authority/events';
import {
  applyChange,
  changesOf,
  isActive,
  sessionIdOf,
  type SessionState,
} from '@session-authority/sessions';
import type { Position, ProjectionWaiter } from './projection-watermark.js';
import type { SessionPageQuery, SessionReader } from './session-queries.js';

/**
 * The in-memory twin of the sessions read model for in-process tests: the same reader and waiter
 * ports, the same projection rule. `failReads` makes every read fail as a PostgreSQL outage would.
 */
export class InMemoryReadModel implements SessionReader, ProjectionWaiter {
  readonly #sessions = new Map<string, SessionState>();
  readonly #next = new Map<number, bigint>();
  readonly #waiters = new Set<{ check: () => boolean }>();
  #readFailure: Error | undefined;

  /** Applies one partition's events, as one projector transaction would. */
  apply(
    partition: number,
    events: readonly PositionedEvent[],
    nextOffset: bigint,
    quarantined: readonly QuarantinedRecord[] = [],
  ): void {
    const from = this.#next.get(partition) ?? 0n;
    if (nextOffset <= from) return;
    const fresh = [
      ...events,
      ...quarantined.map(({ offset, sessionId, at }) => ({
        offset,
        quarantine: { sessionId, at },
      })),
    ]
      .filter((input) => input.offset >= from)
      .sort((a, b) => (a.offset < b.offset ? -1 : 1));
    for (const { change } of changesOf(fresh).flat()) {
      const id = sessionIdOf(change);
      const next = applyChange(this.#sessions.get(id) ?? null, change);
      if (next !== null) this.#sessions.set(id, next);
    }
    this.#next.set(partition, nextOffset);
    for (const waiter of this.#waiters) waiter.check();
  }

  failReads(error: Error | undefined): void {
    this.#readFailure = error;
  }

  sessions(): readonly SessionState[] {
    return [...this.#sessions.values()];
  }

  findByTokenDigest(tokenSha256: string): Promise<SessionState | null> {
    return this.#read(() => this.sessions().find((s) => s.tokenSha256 === tokenSha256) ?? null);
  }

  findById(sessionId: string): Promise<SessionState | null> {
    return this.#read(() => this.#sessions.get(sessionId) ?? null);
  }

  listByIdentity(identityId: string): Promise<SessionState[]> {
    return this.#read(() =>
      this.sessions()
        .filter((s) => s.identityId === identityId)
        .sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime() || a.id.localeCompare(b.id)),
    );
  }

  listPage(query: SessionPageQuery): Promise<SessionState[]> {
    const { identityId, active, now, exceptId, after, limit } = query;
    return this.#read(() =>
      this.sessions()
        .filter(
          (s) =>
            (identityId === undefined || s.identityId === identityId) &&
            (active === undefined || isActive(s, now) === active) &&
            s.id !== exceptId &&
            (after === undefined || s.id > after),
        )
        // PostgreSQL orders uuids by their bytes, which is the order of their lower-case text.
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit),
    );
  }

  waitFor(positions: readonly Position[], timeoutMs: number): Promise<boolean> {
    const reached = () => positions.every((p) => (this.#next.get(p.partition) ?? 0n) > p.offset);
    if (reached()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        check: () => {
          if (!reached()) return false;
          done(true);
          return true;
        },
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(value);
      };
      this.#waiters.add(waiter);
    });
  }

  #read<T>(read: () => T): Promise<T> {
    return this.#readFailure === undefined
      ? Promise.resolve(read())
      : Promise.reject(this.#readFailure);
  }
}
