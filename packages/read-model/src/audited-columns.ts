import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { qualified } from './sql.js';

/**
 * The columns of audit_events and quarantined_records that queries, `valid-at` and the quarantine
 * listing show. Verification recomputes each from its log record and compares them one by one:
 * a row whose hashes match the log but whose `reason` was edited must not verify.
 */
export const AUDIT_COLUMNS = [
  'at',
  'event_id',
  'type',
  'session_id',
  'identity_id',
  'actor_type',
  'actor_id',
  'reason',
  'request_id',
  'source',
  'data',
  'problem',
] as const;

export const QUARANTINE_COLUMNS = ['session_id', 'type', 'problem', 'quarantined_at'] as const;

type Canonical = Record<string, string | null>;

const TIME_COLUMNS = new Set(['at', 'quarantined_at']);
const UUID_COLUMNS = new Set(['session_id', 'identity_id']);

const PRINTABLE_ASCII = /^[ -~]*$/;

/** jsonb's order of keys: shorter first (in bytes), then by their bytes. */
function jsonbKeyOrder(a: string, b: string): number {
  // In ASCII a character is one byte and compares as its byte does: nothing to encode.
  if (PRINTABLE_ASCII.test(a) && PRINTABLE_ASCII.test(b))
    return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const [x, y] = [Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')];
  return x.length - y.length || Buffer.compare(x, y);
}

/**
 * JSON as PostgreSQL prints a jsonb value: keys shortest first then in byte order, ", " and ": "
 * between items. A value it prints otherwise (an unusual number) only costs a second look, since
 * a digest that differs is followed by a comparison of the parsed columns.
 */
function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => jsonbKeyOrder(a, b))
      .map(([key, item]) => `${JSON.stringify(key)}: ${jsonbText(item)}`);
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value);
}

function canonicalValue(column: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (TIME_COLUMNS.has(column)) return new Date(value as string | Date).toISOString();
  if (column === 'data') return jsonbText(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return UUID_COLUMNS.has(column) ? text.toLowerCase() : text;
}

/**
 * The listed columns of a row in one comparable form, whether the row comes from PostgreSQL
 * (Date, parsed jsonb) or from recomputing it from the log (ISO strings, parsed JSON).
 */
export function canonicalColumns(
  columns: readonly string[],
  row: Readonly<Record<string, unknown>>,
): Canonical {
  return Object.fromEntries(columns.map((column) => [column, canonicalValue(column, row[column])]));
}

/** Characters as PostgreSQL's length() counts them: code points. */
const codePoints = (text: string) =>
  /[\uD800-\uDFFF]/.test(text) ? Array.from(text).length : text.length;

/**
 * The order of the digest's fields, each of which delimits itself, so that no two rows share an
 * encoding: a text is prefixed with its length; a uuid needs no prefix (its text is always 36
 * characters); `data` comes last, so it needs none either. PostgreSQL then prints each column once
 * per row (a length prefix costs a second print), and jsonb's printing is the dearest of them.
 */
const DIGEST_ORDER = [...AUDIT_COLUMNS.filter((column) => column !== 'data'), 'data'] as const;
const UNPREFIXED = new Set([...UUID_COLUMNS, 'data']);

/** One digest of a row's canonical columns: the MD5 that AUDIT_COLUMNS_DIGEST_SQL computes. */
export function columnsDigest(canonical: Canonical): string {
  const encoded = DIGEST_ORDER.map((column) => {
    const value = canonical[column] ?? null;
    if (value === null) return '-';
    return UNPREFIXED.has(column) ? value : `${codePoints(value)}:${value}`;
  }).join(',');
  return createHash('md5').update(encoded).digest('hex');
}

function columnText(column: string): string {
  if (TIME_COLUMNS.has(column))
    return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return UUID_COLUMNS.has(column) || column === 'data' ? `${column}::text` : column;
}

/** columnsDigest of the audit columns, computed by PostgreSQL, so the columns need not travel. */
export const AUDIT_COLUMNS_DIGEST_SQL = `md5(${DIGEST_ORDER.map((column) => {
  const text = columnText(column);
  return UNPREFIXED.has(column)
    ? `coalesce(${text}, '-')`
    : `coalesce(length(${text})::text || ':' || ${text}, '-')`;
}).join(` || ',' || `)})`;

export interface ColumnDifference {
  readonly table: 'audit_events' | 'quarantined_records';
  readonly partition: number;
  readonly offset: bigint;
  readonly column: string;
  readonly stored: string | null;
  readonly expected: string | null;
}

/** Each column whose stored value differs from the one recomputed from the log. */
export function columnDifferences(
  where: Omit<ColumnDifference, 'column' | 'stored' | 'expected'>,
  stored: Canonical,
  expected: Canonical,
): ColumnDifference[] {
  return Object.keys(expected)
    .filter((column) => stored[column] !== expected[column])
    .map((column) => ({
      ...where,
      column,
      stored: stored[column] ?? null,
      expected: expected[column] ?? null,
    }));
}

/** One audit row's listed columns, read again when its digest differs (rows are never updated). */
export async function readAuditColumns(
  em: EntityManager,
  schema: string,
  topic: string,
  partition: number,
  offset: bigint,
): Promise<Canonical | undefined> {
  const [row] = await em.fork().execute<Record<string, unknown>[]>(
    `select ${AUDIT_COLUMNS.join(', ')} from ${qualified(schema, 'audit_events')}
       where topic = ? and log_partition = ? and log_offset = ?`,
    [topic, partition, offset.toString()],
  );
  return row === undefined ? undefined : canonicalColumns(AUDIT_COLUMNS, row);
}
