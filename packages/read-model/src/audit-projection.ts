import { recordSha256 } from '@session-authority/audit';
import {
  isUuid,
  readEnvelope,
  type EnvelopeReadResult,
  type PositionedRecord,
} from '@session-authority/events';
import type { FreshEvents, Projection, SqlContext } from './projection.js';

export const AUDIT_PROJECTION = 'audit';

const uuidOr = (value: unknown) => (isUuid(value) ? value : null);
const textOr = (value: unknown, max: number) =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;

function header(record: PositionedRecord, name: string): string | null {
  const value = record.record.headers[name];
  return value === undefined ? null : typeof value === 'string' ? value : value.toString('utf8');
}

/**
 * The columns of one record's row that queries show, computed from the record alone (verification
 * computes them again); a record that cannot be read still gets a row, with its problem. `read`
 * is the record's envelope when the caller has read it already (decodeRecords does).
 */
export function auditColumnsOf(
  positioned: PositionedRecord,
  problem: string | undefined,
  read: EnvelopeReadResult = readEnvelope(positioned.record),
) {
  const envelope = read.ok ? read.envelope : undefined;
  const data = (envelope?.data ?? null) as Record<string, unknown> | null;
  const fields = data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {};
  const actor = (fields.actor ?? {}) as Record<string, unknown>;
  const eventTime = Date.parse(envelope?.time ?? '');
  return {
    at: (Number.isNaN(eventTime) ? positioned.timestamp : new Date(eventTime)).toISOString(),
    event_id: textOr(envelope?.id ?? header(positioned, 'ce_id'), 255),
    type: textOr(envelope?.type ?? header(positioned, 'ce_type'), 255),
    session_id: uuidOr(positioned.record.key?.toString('utf8')),
    identity_id: uuidOr(fields.identity_id),
    actor_type: textOr(actor.type, 32),
    actor_id: textOr(actor.id, 255),
    reason: textOr(fields.reason, 64),
    request_id: textOr(fields.request_id, 255),
    source: textOr(envelope?.source, 1024),
    data: envelope?.data ?? null,
    problem: problem ?? (read.ok ? null : read.problem),
  };
}

/** A record's whole row: its position, its shown columns and its hash. */
export function auditRowOf(
  partition: number,
  positioned: PositionedRecord,
  problem: string | undefined,
  read?: EnvelopeReadResult,
) {
  return {
    log_partition: partition,
    log_offset: positioned.offset.toString(),
    ...auditColumnsOf(positioned, problem, read),
    record_sha256: recordSha256(partition, positioned.offset, positioned.record),
  };
}

function partitionStatement({ partition, records, quarantined }: FreshEvents, sql: SqlContext) {
  const problems = new Map(quarantined.map((q) => [q.offset, q.problem]));
  // n pairs each row with its chain value: the function returns them in the same order.
  const rows = records.map((r, i) => ({
    ...auditRowOf(partition, r, problems.get(r.offset), r.read),
    n: i + 1,
  }));
  const audit = sql.table('audit_events');
  const topic = sql.literal(sql.topic);
  const hashes = rows.map((r) => sql.literal(r.record_sha256)).join(', ');
  return `insert into ${audit} (topic, log_partition, log_offset, at, event_id, type, session_id,
       identity_id, actor_type, actor_id, reason, request_id, source, data, problem, record_sha256,
       chain_sha256)
     select ${topic}, x.log_partition, x.log_offset, x.at, x.event_id, x.type, x.session_id,
       x.identity_id, x.actor_type, x.actor_id, x.reason, x.request_id, x.source, x.data, x.problem,
       x.record_sha256, c.chain
     from jsonb_to_recordset(${sql.literal(JSON.stringify(rows))}::jsonb)
       as x(log_partition int, log_offset bigint, at timestamptz, event_id text, type text,
         session_id uuid, identity_id uuid, actor_type text, actor_id text, reason text,
         request_id text, source text, data jsonb, problem text, record_sha256 text, n bigint)
     join ${sql.table('audit_chain')}(
       (select chain_sha256 from ${audit} where topic = ${topic} and log_partition = ${partition}
        order by log_offset desc limit 1),
       array[${hashes}]::text[]) with ordinality as c(chain, n) on c.n = x.n`;
}

/**
 * The `audit` projection: one row per log record (unknown and unreadable ones too), with the
 * record's SHA-256 and the partition's hash chain up to it. Rows are only ever inserted.
 */
export const auditProjection: Projection = {
  name: AUDIT_PROJECTION,
  // It reads `records`, every record of the log; the decoded events it does not need.
  handles: new Set(),
  statements: (batches, sql) =>
    batches.filter((b) => b.records.length > 0).map((b) => partitionStatement(b, sql)),
};
