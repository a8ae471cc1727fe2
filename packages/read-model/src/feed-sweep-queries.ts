import type { EntityManager } from '@mikro-orm/postgresql';
import { qualified } from './sql.js';

/** A revoked session whose expiry has passed: its feed entry can be tombstoned. */
export interface ExpiredRevocation {
  readonly sessionId: string;
  readonly partition: number;
}

/**
 * The revoked sessions that expired since the last sweep of this topic, and the instant this
 * sweep covers up to; `markSwept` records it once their tombstones are written.
 */
export async function expiredRevocations(
  em: EntityManager,
  schema: string,
  topic: string,
  until: Date,
): Promise<ExpiredRevocation[]> {
  const fork = em.fork();
  const [last] = await fork.execute<{ swept_until: Date | string }[]>(
    `select swept_until from ${qualified(schema, 'feed_sweeps')} where topic = ?`,
    [topic],
  );
  const since = last === undefined ? new Date(0) : new Date(last.swept_until);
  const rows = await fork.execute<{ id: string; log_partition: number }[]>(
    `select id, log_partition from ${qualified(schema, 'sessions')}
     where revoked_at is not null and expires_at > ? and expires_at <= ?`,
    [since.toISOString(), until.toISOString()],
  );
  return rows.map((row) => ({ sessionId: row.id, partition: row.log_partition }));
}

export async function markSwept(
  em: EntityManager,
  schema: string,
  topic: string,
  until: Date,
): Promise<void> {
  await em.fork().execute(
    `insert into ${qualified(schema, 'feed_sweeps')} (topic, swept_until) values (?, ?)
     on conflict (topic) do update set swept_until = excluded.swept_until`,
    [topic, until.toISOString()],
  );
}
