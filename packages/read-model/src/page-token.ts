import { isUuid } from '@session-authority/events';

const PREFIX = 'after:';

/** The opaque page token of a keyset page (SessionPageQuery.after): where the next page starts. */
export const encodePageToken = (lastId: string): string =>
  Buffer.from(`${PREFIX}${lastId}`).toString('base64url');

/** The id a page token starts after, or undefined when it is not one this code made. */
export function decodePageToken(token: string): string | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const lastId = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  return isUuid(lastId) && encodePageToken(lastId) === token ? lastId : undefined;
}

/** Where a page of audit events ended: the keyset (at, partition, offset) of its last row. */
export interface AuditCursorToken {
  readonly at: Date;
  readonly partition: number;
  readonly offset: bigint;
}

const AUDIT_PREFIX = 'audit:';

export const encodeAuditPageToken = ({ at, partition, offset }: AuditCursorToken): string =>
  Buffer.from(`${AUDIT_PREFIX}${at.toISOString()}|${partition}|${offset}`).toString('base64url');

export function decodeAuditPageToken(token: string): AuditCursorToken | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^audit:([^|]+)\|(\d{1,9})\|(\d{1,19})$/.exec(text);
  if (match === null) return undefined;
  const cursor = {
    at: new Date(match[1] ?? ''),
    partition: Number(match[2]),
    offset: BigInt(match[3] ?? '0'),
  };
  if (Number.isNaN(cursor.at.getTime())) return undefined;
  return encodeAuditPageToken(cursor) === token ? cursor : undefined;
}
