import { hash } from 'node:crypto';
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

interface KeyBytes {
  readonly key: string;
  readonly bytes: number;
}

/** jsonb's order of keys: shorter first (in bytes), then by their bytes. */
function jsonbKeyOrder(x: KeyBytes, y: KeyBytes): number {
  if (x.bytes !== y.bytes) return x.bytes - y.bytes;
  // A key as long in bytes as in characters is ASCII: its characters compare as its bytes do.
  if (x.bytes === x.key.length && y.bytes === y.key.length) return x.key < y.key ? -1 : 1;
  return Buffer.compare(Buffer.from(x.key, 'utf8'), Buffer.from(y.key, 'utf8'));
}

interface KeyOrder {
  /** The object's keys as Object.keys gave them. */
  readonly keys: readonly string[];
  /** In jsonb's order, each with its printed `"key": `. */
  readonly printed: readonly { readonly key: string; readonly prefix: string }[];
}

// Events of one type share their keys: each shape is ordered once (verify prints a million).
const keyOrders = new Map<string, KeyOrder>();
const MAX_SHAPES = 1024;

function keyOrderOf(keys: readonly string[]): KeyOrder {
  const shape = keys.join('\u0000');
  const known = keyOrders.get(shape);
  // The same joined text from other keys (one holding a NUL) is told apart by the keys themselves.
  if (known?.keys.length === keys.length && known.keys.every((key, i) => key === keys[i]))
    return known;
  const printed = keys
    .map((key) => ({ key, bytes: Buffer.byteLength(key, 'utf8') }))
    .sort(jsonbKeyOrder)
    .map(({ key }) => ({ key, prefix: `${JSON.stringify(key)}: ` }));
  const order = { keys, printed };
  if (keyOrders.size < MAX_SHAPES) keyOrders.set(shape, order);
  return order;
}

/**
 * JSON as PostgreSQL prints a jsonb value: keys shortest first then in byte order, ", " and ": "
 * between items. A value it prints otherwise (an unusual number) only costs a second look, since
 * a digest that differs is followed by a comparison of the parsed columns.
 */
function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const object = value as Record<string, unknown>;
  let text = '';
  for (const { key, prefix } of keyOrderOf(Object.keys(object)).printed)
    text += `${text === '' ? '' : ', '}${prefix}${jsonbText(object[key])}`;
  return `{${text}}`;
}

function canonicalValue(column: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (TIME_COLUMNS.has(column))
    return (value instanceof Date ? value : new Date(value as string)).toISOString();
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
  const canonical: Canonical = {};
  for (const column of columns) canonical[column] = canonicalValue(column, row[column]);
  return canonical;
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
  const fields: string[] = [];
  for (const column of DIGEST_ORDER) {
    const value = canonical[column] ?? null;
    fields.push(
      value === null ? '-' : UNPREFIXED.has(column) ? value : `${codePoints(value)}:${value}`,
    );
  }
  const encoded = fields.join(',');
  return hash('md5', encoded, 'hex');
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
