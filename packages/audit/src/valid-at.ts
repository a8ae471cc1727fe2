import { decodeSessionEvent, type Actor, type SessionEvent } from '@session-authority/events';

/** A session's record in the audit trail, as audit_events holds it. */
export interface SessionRecord {
  readonly type: string | null;
  readonly at: Date;
  readonly data: unknown;
  readonly eventId: string | null;
  readonly source: string | null;
  /** Set when the projector could not read the record. */
  readonly problem: string | null;
}

export interface Validity {
  readonly sessionId: string;
  readonly at: Date;
  readonly valid: boolean;
  /** One line per fact that decides the answer, oldest first. */
  readonly because: readonly string[];
}

const who = (actor: Actor) => `${actor.type} ${actor.id}`;

function decoded(sessionId: string, record: SessionRecord): SessionEvent | undefined {
  const result = decodeSessionEvent({
    id: record.eventId ?? '',
    source: record.source ?? '',
    type: record.type ?? '',
    time: record.at.toISOString(),
    subject: sessionId,
    data: record.data,
  });
  return result.kind === 'event' ? result.event : undefined;
}

/**
 * Whether the session was valid at `at` and why: issued when and by whom, revoked when, by whom
 * and why, expired when (extensions until `at` counted). Records after `at` do not count.
 */
export function validAt(sessionId: string, records: readonly SessionRecord[], at: Date): Validity {
  const because: string[] = [];
  const t = at.getTime();
  let issuedAt: Date | undefined;
  let expiresAt: Date | undefined;
  let invalidation: string | undefined;
  for (const record of records) {
    if (record.at.getTime() > t) continue;
    if (record.problem !== null) {
      because.push(
        `${record.at.toISOString()}: an unreadable record (${record.problem}) revoked it`,
      );
      invalidation ??= 'quarantined';
      continue;
    }
    const event = decoded(sessionId, record);
    if (event === undefined) continue;
    switch (event.type) {
      case 'session.issued.v2':
        issuedAt = new Date(event.data.issued_at);
        expiresAt = new Date(event.data.expires_at);
        because.push(
          `${event.data.issued_at}: issued by ${who(event.data.actor)} (request ${event.data.request_id}), to expire ${event.data.expires_at}`,
        );
        break;
      case 'session.extended.v1':
        if (invalidation !== undefined) break;
        expiresAt = new Date(event.data.expires_at);
        because.push(
          `${event.data.extended_at}: extended by ${who(event.data.actor)} to ${event.data.expires_at}`,
        );
        break;
      case 'session.revoked.v2':
        if (invalidation !== undefined) break;
        invalidation = 'revoked';
        because.push(
          `${event.data.revoked_at}: revoked by ${who(event.data.actor)}, reason ${event.data.reason} (request ${event.data.request_id})`,
        );
        break;
    }
  }
  if (issuedAt === undefined) {
    return {
      sessionId,
      at,
      valid: false,
      because: [...because, 'no issuance at or before that time'],
    };
  }
  const expired = expiresAt !== undefined && expiresAt.getTime() <= t;
  if (expired && invalidation === undefined)
    because.push(`${expiresAt?.toISOString() ?? ''}: expired`);
  return { sessionId, at, valid: invalidation === undefined && !expired, because };
}
