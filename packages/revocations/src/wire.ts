import { isSessionId } from './session-id.js';
import { expiryInBytes, NOT_FOUND } from './expiry-bytes.js';

/**
 * What the client reads, as the authority writes it (the authority's docs/events.md and docs/downstream.md). The client depends on
 * no package of the authority: these few names and shapes are the whole contract, and the
 * contract test checks them against the authority's own encoders.
 */

/** The key of each feed partition's checkpoint record. */
export const FEED_CHECKPOINT_KEY = '~checkpoint';

const REVOKED_TYPES: ReadonlySet<string> = new Set(['session.revoked.v1', 'session.revoked.v2']);
/** Types the client skips without reading their bodies: they revoke nothing. */
const NON_REVOKING_TYPES: ReadonlySet<string> = new Set([
  'session.issued.v1',
  'session.issued.v2',
  'session.extended.v1',
]);

/** One revocation as the client learns it. */
export interface Revocation {
  readonly sessionId: string;
  readonly identityId: string | undefined;
  readonly revokedAt: string | undefined;
  /** Epoch milliseconds; undefined when the authority does not know it (a quarantined record). */
  readonly expiresAtMs: number | undefined;
  readonly reason: string;
  /** Where in the log the revocation was appended. */
  readonly partition: number;
  readonly offset: bigint;
}

/** A Kafka record as the client needs it, whatever the client library's own message type. */
export interface WireRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

function headerText(record: WireRecord, name: string): string | undefined {
  const value = record.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

function parseObject(value: Buffer | null): Record<string, unknown> | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

function epochMs(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The revocation a log record makes, or undefined when it makes none. As the projector does, a
 * record keyed by a session id that names no known type, or whose revocation cannot be read,
 * revokes that session (fail closed); a type the authority added later is skipped.
 */
export function revocationOfLogRecord(
  partition: number,
  offset: bigint,
  record: WireRecord,
): Revocation | undefined {
  // An empty ce_type is a missing one, as the projector reads it.
  const type = headerText(record, 'ce_type') || undefined;
  if (type !== undefined && NON_REVOKING_TYPES.has(type)) return undefined;
  const key = record.key?.toString('utf8');
  if (key === undefined || !isSessionId(key)) return undefined;
  if (type !== undefined && !REVOKED_TYPES.has(type)) return undefined;
  const data = type === undefined ? undefined : parseObject(record.value);
  const expiresAtMs = epochMs(data?.session_expires_at);
  if (data === undefined || data.session_id !== key || expiresAtMs === undefined) {
    return {
      sessionId: key,
      identityId: undefined,
      revokedAt: undefined,
      expiresAtMs: undefined,
      reason: 'quarantined',
      partition,
      offset,
    };
  }
  return {
    sessionId: key,
    identityId: text(data.identity_id),
    revokedAt: text(data.revoked_at),
    expiresAtMs,
    reason: text(data.reason) ?? 'unknown',
    partition,
    offset,
  };
}

export type FeedRecord =
  | { readonly kind: 'checkpoint'; readonly next: bigint }
  | {
      readonly kind: 'revoked';
      readonly sessionId: string;
      readonly expiresAtMs: number | undefined;
    }
  | { readonly kind: 'tombstone'; readonly sessionId: string }
  | { readonly kind: 'unreadable' };

/** One record of the compacted feed. */
export function readFeedRecord(record: WireRecord): FeedRecord {
  const key = record.key?.toString('utf8');
  if (key === undefined) return { kind: 'unreadable' };
  if (key === FEED_CHECKPOINT_KEY) {
    const next = text(parseObject(record.value)?.next);
    return next !== undefined && /^\d{1,19}$/.test(next)
      ? { kind: 'checkpoint', next: BigInt(next) }
      : { kind: 'unreadable' };
  }
  if (!isSessionId(key)) return { kind: 'unreadable' };
  if (record.value === null) return { kind: 'tombstone', sessionId: key };
  const expiry = expiryInBytes(record.value);
  if (expiry !== NOT_FOUND) return { kind: 'revoked', sessionId: key, expiresAtMs: expiry };
  // Not as the projector writes it: parsed; one that cannot be read still revokes (fail closed).
  return {
    kind: 'revoked',
    sessionId: key,
    expiresAtMs: epochMs(parseObject(record.value)?.expires_at),
  };
}

const POSITION = /^(\d{1,9}):(\d{1,19})$/;

/** The `Session-Log-Position` header (`partition:offset[,…]`); undefined when it is not one. */
export function parsePositionHeader(header: string): Map<number, bigint> | undefined {
  const positions = new Map<number, bigint>();
  for (const part of header.split(',')) {
    const match = POSITION.exec(part.trim());
    if (match === null) return undefined;
    const partition = Number(match[1]);
    const offset = BigInt(match[2] ?? '0');
    if (offset > (positions.get(partition) ?? -1n)) positions.set(partition, offset);
  }
  return positions;
}
