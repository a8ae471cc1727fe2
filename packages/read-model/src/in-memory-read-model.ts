import type { LogPosition, PositionedEvent, QuarantinedRecord } from '@session-authority/events';
import {
  foldSessions,
  isActive,
  projectionInputsOf,
  type SessionState,
} from '@session-authority/sessions';
import { PositionWaiters, type ProjectionWatermark } from './position-waiters.js';
import type { SessionPageQuery, SessionReader } from './session-queries.js';

/**
 * The in-memory twin of the sessions read model for in-process tests: the same reader and waiter
 * ports, the same projection rule and the same wait bookkeeping. `failReads` is a PostgreSQL
 * outage: every read fails, and batches wait to be applied until it ends.
 */
export class InMemoryReadModel implements SessionReader, ProjectionWatermark {
  readonly #sessions = new Map<string, SessionState>();
  readonly #waiters = new PositionWaiters();
  #readFailure: Error | undefined;
  readonly #held: (() => void)[] = [];

  /** Applies one partition's events, as one projector transaction would. */
  apply(
    partition: number,
    events: readonly PositionedEvent[],
    nextOffset: bigint,
    quarantined: readonly QuarantinedRecord[] = [],
  ): void {
    if (this.#readFailure !== undefined) {
      this.#held.push(() => this.apply(partition, events, nextOffset, quarantined));
      return;
    }
    const from = this.#waiters.nextOffset(partition);
    if (nextOffset <= from) return;
    const fresh = projectionInputsOf(events, quarantined).filter((input) => input.offset >= from);
    foldSessions(fresh, this.#sessions);
    this.#waiters.advance(partition, nextOffset);
  }

  failReads(error: Error | undefined): void {
    this.#readFailure = error;
    if (error === undefined) for (const apply of this.#held.splice(0)) apply();
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

  waitFor(positions: readonly LogPosition[], timeoutMs: number): Promise<boolean> {
    return this.#waiters.waitFor(positions, timeoutMs);
  }

  #read<T>(read: () => T): Promise<T> {
    return this.#readFailure === undefined
      ? Promise.resolve(read())
      : Promise.reject(this.#readFailure);
  }
}
