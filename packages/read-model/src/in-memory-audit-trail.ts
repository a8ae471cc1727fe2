import { CHAIN_START, chainNext } from '@session-authority/audit';
import type { PositionedRecord } from '@session-authority/events';
import { auditRowOf } from './audit-projection.js';
import {
  auditEventOf,
  type AuditEvent,
  type AuditQuery,
  type AuditReader,
  type ChainHead,
} from './audit-queries.js';

const FIELD: Record<AuditQuery['by'], (e: AuditEvent) => string | null> = {
  session: (e) => e.sessionId,
  identity: (e) => e.identityId,
  request: (e) => e.requestId,
  actor: (e) => e.actor.id,
};

const keyOf = (e: { at: Date; partition: number; offset: bigint }) =>
  [e.at.getTime(), e.partition, e.offset] as const;
function before(a: AuditEvent | NonNullable<AuditQuery['after']>, b: AuditEvent): boolean {
  const [x, y] = [keyOf(a), keyOf(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

/** The in-memory twin of the audit projection and its queries, for in-process tests. */
export class InMemoryAuditTrail implements AuditReader {
  readonly #topic: string;
  readonly #events: AuditEvent[] = [];
  readonly #heads = new Map<number, ChainHead>();
  #readFailure: Error | undefined;

  constructor(topic: string) {
    this.#topic = topic;
  }

  /** Records of one partition, in log order, as one projector transaction applies them. */
  append(partition: number, records: readonly PositionedRecord[]): void {
    for (const record of records) {
      const row = auditRowOf(partition, record, undefined);
      const previous = this.#heads.get(partition)?.chainSha256 ?? CHAIN_START;
      const chainSha256 = chainNext(previous, row.record_sha256);
      this.#events.push(auditEventOf({ ...row, topic: this.#topic, chain_sha256: chainSha256 }));
      this.#heads.set(partition, { partition, offset: record.offset, chainSha256 });
    }
  }

  /** Makes every read fail, as a PostgreSQL outage would; undefined ends it. */
  failReads(error: Error | undefined): void {
    this.#readFailure = error;
  }

  events(query: AuditQuery): Promise<AuditEvent[]> {
    if (this.#readFailure !== undefined) return Promise.reject(this.#readFailure);
    const { by, id, since, until, after, limit } = query;
    const selected = this.#events
      .filter(
        (e) =>
          FIELD[by](e) === id &&
          (since === undefined || e.at >= since) &&
          (until === undefined || e.at < until) &&
          (after === undefined || before(after, e)),
      )
      .sort((a, b) => (before(a, b) ? -1 : 1));
    return Promise.resolve(selected.slice(0, limit));
  }

  heads(): Promise<ChainHead[]> {
    if (this.#readFailure !== undefined) return Promise.reject(this.#readFailure);
    return Promise.resolve([...this.#heads.values()].sort((a, b) => a.partition - b.partition));
  }
}
