import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@session-authority/events';
import { AUDIT_PROJECTION } from './audit-projection.js';
import { qualified } from './sql.js';

/** One row of audit_events: a log record and what it says. */
export interface AuditEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly at: Date;
  readonly eventId: string | null;
  readonly type: string | null;
  readonly sessionId: string | null;
  readonly identityId: string | null;
  readonly actor: { readonly type: string | null; readonly id: string | null };
  readonly reason: string | null;
  readonly requestId: string | null;
  readonly source: string | null;
  readonly data: unknown;
  /** Why the projector could not read the record; null for a readable one. */
  readonly problem: string | null;
  readonly recordSha256: string;
  readonly chainSha256: string;
}

/** Exactly one of the four filters, and an optional time range; keyset pages in (at, partition, offset). */
export interface AuditQuery {
  readonly by: 'session' | 'identity' | 'request' | 'actor';
  readonly id: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly after?: AuditCursor;
  readonly limit: number;
}

export interface AuditCursor {
  readonly at: Date;
  readonly partition: number;
  readonly offset: bigint;
}

const COLUMN: Record<AuditQuery['by'], string> = {
  session: 'session_id',
  identity: 'identity_id',
  request: 'request_id',
  actor: 'actor_id',
};

export interface AuditRow {
  topic: string;
  log_partition: number;
  log_offset: string;
  at: Date | string;
  event_id: string | null;
  type: string | null;
  session_id: string | null;
  identity_id: string | null;
  actor_type: string | null;
  actor_id: string | null;
  reason: string | null;
  request_id: string | null;
  source: string | null;
  data: unknown;
  problem: string | null;
  record_sha256: string;
  chain_sha256: string;
}

export function auditEventOf(row: AuditRow): AuditEvent {
  return {
    topic: row.topic,
    partition: row.log_partition,
    offset: BigInt(row.log_offset),
    at: new Date(row.at),
    eventId: row.event_id,
    type: row.type,
    sessionId: row.session_id,
    identityId: row.identity_id,
    actor: { type: row.actor_type, id: row.actor_id },
    reason: row.reason,
    requestId: row.request_id,
    source: row.source,
    data: row.data,
    problem: row.problem,
    recordSha256: row.record_sha256,
    chainSha256: row.chain_sha256,
  };
}

/** What the admin API and the CLI read of the audit trail of one log topic. */
export interface AuditReader {
  events(query: AuditQuery): Promise<AuditEvent[]>;
  heads(): Promise<ChainHead[]>;
}

export function createAuditReader(em: EntityManager, schema: string, topic: string): AuditReader {
  return {
    events: (query) => queryAuditEvents(em, schema, topic, query),
    heads: () => auditHeads(em, schema, topic),
  };
}

/** The audit events one filter selects, oldest first, one keyset page at a time. */
export async function queryAuditEvents(
  em: EntityManager,
  schema: string,
  topic: string,
  query: AuditQuery,
): Promise<AuditEvent[]> {
  const column = COLUMN[query.by];
  // session and identity ids are uuids: anything else matches nothing (and must not be cast).
  if ((query.by === 'session' || query.by === 'identity') && !isUuid(query.id)) return [];
  const where = [`${column} = ?`, 'topic = ?'];
  const values: unknown[] = [query.id, topic];
  if (query.since !== undefined) {
    where.push('at >= ?');
    values.push(query.since.toISOString());
  }
  if (query.until !== undefined) {
    where.push('at < ?');
    values.push(query.until.toISOString());
  }
  if (query.after !== undefined) {
    where.push('(at, log_partition, log_offset) > (?, ?, ?)');
    values.push(query.after.at.toISOString(), query.after.partition, query.after.offset.toString());
  }
  values.push(query.limit);
  const rows = await em.fork().execute<AuditRow[]>(
    `select * from ${qualified(schema, 'audit_events')} where ${where.join(' and ')}
     order by ${column}, at, log_partition, log_offset limit ?`,
    values,
  );
  return rows.map(auditEventOf);
}

/** The head of each partition's chain: what auditors export and keep elsewhere. */
export interface ChainHead {
  readonly partition: number;
  readonly offset: bigint;
  readonly chainSha256: string;
}

export async function auditHeads(
  em: EntityManager,
  schema: string,
  topic: string,
): Promise<ChainHead[]> {
  const rows = await em
    .fork()
    .execute<{ partition: number; log_offset: string; chain_sha256: string }[]>(
      `select o.partition, a.log_offset, a.chain_sha256
     from ${qualified(schema, 'projection_offsets')} o
     cross join lateral (
       select log_offset, chain_sha256 from ${qualified(schema, 'audit_events')} a
       where a.topic = o.topic and a.log_partition = o.partition
       order by a.log_offset desc limit 1) a
     where o.projection = ? and o.topic = ?
     order by o.partition`,
      [AUDIT_PROJECTION, topic],
    );
  return rows.map((row) => ({
    partition: row.partition,
    offset: BigInt(row.log_offset),
    chainSha256: row.chain_sha256,
  }));
}
