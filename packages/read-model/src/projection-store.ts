import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import type { SessionEvent } from '@session-authority/events';
import { qualified } from './sql.js';

export const OFFSETS_CHANNEL = 'projection_offsets';

export interface PositionedEvent {
  readonly offset: string;
  readonly event: SessionEvent;
}

/** Consecutive records of one partition; `nextOffset` is one past the last record, skipped ones included. */
export interface ProjectionBatch {
  readonly projection: string;
  readonly topic: string;
  readonly partition: number;
  readonly events: readonly PositionedEvent[];
  readonly nextOffset: string;
}

export interface BatchOutcome {
  /** The events at or past the stored offset, i.e. not applied before. */
  readonly applied: readonly PositionedEvent[];
  readonly nextOffset: string;
}

export interface OffsetNotice {
  readonly projection: string;
  readonly topic: string;
  readonly partition: number;
  readonly next: string;
}

interface SessionChanges {
  readonly issued: Record<string, unknown>[];
  readonly revoked: Record<string, unknown>[];
}

function changesOf(events: readonly PositionedEvent[]): SessionChanges {
  const issued: Record<string, unknown>[] = [];
  const revoked = new Map<string, Record<string, unknown>>();
  for (const { offset, event } of events) {
    if (event.type === 'session.issued.v1') {
      const d = event.data;
      issued.push({
        id: d.session_id,
        identity_id: d.identity_id,
        token_sha256: d.token_sha256,
        issued_at: d.issued_at,
        authenticated_at: d.authenticated_at,
        expires_at: d.expires_at,
        log_offset: offset,
      });
    } else if (!revoked.has(event.data.session_id)) {
      // The first revocation in log order wins; later ones are no-ops.
      revoked.set(event.data.session_id, {
        id: event.data.session_id,
        revoked_at: event.data.revoked_at,
        reason: event.data.reason,
        log_offset: offset,
      });
    }
  }
  return { issued, revoked: [...revoked.values()] };
}

function digits(value: string): string {
  if (!/^\d+$/.test(value)) throw new Error(`not an offset: ${value}`);
  return value;
}

/**
 * Applies a batch and moves the partition's offset in ONE transaction, then notifies listeners
 * (PostgreSQL delivers NOTIFY only on commit). Records below the stored offset were applied
 * before and are dropped, and the writes are idempotent besides, so re-delivery is harmless.
 *
 * Two round trips, each a multi-statement simple query: the first opens the transaction and
 * locks the partition's offset row, the second writes, moves the offset, notifies and commits.
 */
export async function applyProjectionBatch(
  em: EntityManager,
  schema: string,
  batch: ProjectionBatch,
): Promise<BatchOutcome> {
  const offsets = qualified(schema, 'projection_offsets');
  const sessions = qualified(schema, 'sessions');
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  let released = false;
  const lit = (value: string) => client.escapeLiteral(value);
  const partition = String(Math.trunc(batch.partition));
  const key = `projection = ${lit(batch.projection)} and topic = ${lit(batch.topic)} and partition = ${partition}`;
  try {
    const opened = (await client.query(
      `begin;
       insert into ${offsets} (projection, topic, partition, next_offset, updated_at)
       values (${lit(batch.projection)}, ${lit(batch.topic)}, ${partition}, 0, now())
       on conflict (projection, topic, partition) do update set next_offset = ${offsets}.next_offset
       returning next_offset`,
    )) as unknown as pg.QueryResult<{ next_offset: string }>[];
    const storedNext = BigInt(opened[1]?.rows[0]?.next_offset ?? '0');
    if (BigInt(batch.nextOffset) <= storedNext) {
      await client.query('rollback');
      return { applied: [], nextOffset: storedNext.toString() };
    }
    const fresh = batch.events.filter((e) => BigInt(e.offset) >= storedNext);
    const { issued, revoked } = changesOf(fresh);
    const statements: string[] = [];
    if (issued.length > 0) {
      statements.push(`insert into ${sessions} (id, identity_id, token_sha256, issued_at, authenticated_at,
           expires_at, revoked_at, revoke_reason, log_partition, log_offset)
         select id, identity_id, token_sha256, issued_at, authenticated_at, expires_at, null, null, ${partition}, log_offset
         from jsonb_to_recordset(${lit(JSON.stringify(issued))}::jsonb) as x(id uuid, identity_id uuid, token_sha256 text,
           issued_at timestamptz, authenticated_at timestamptz, expires_at timestamptz, log_offset bigint)
         on conflict do nothing`);
    }
    if (revoked.length > 0) {
      statements.push(`update ${sessions} s
         set revoked_at = x.revoked_at, revoke_reason = x.reason, log_partition = ${partition}, log_offset = x.log_offset
         from jsonb_to_recordset(${lit(JSON.stringify(revoked))}::jsonb) as x(id uuid, revoked_at timestamptz, reason text, log_offset bigint)
         where s.id = x.id and s.revoked_at is null`);
    }
    const notice: OffsetNotice = {
      projection: batch.projection,
      topic: batch.topic,
      partition: batch.partition,
      next: batch.nextOffset,
    };
    statements.push(
      `update ${offsets} set next_offset = ${digits(batch.nextOffset)}, updated_at = now() where ${key}`,
      `select pg_notify(${lit(OFFSETS_CHANNEL)}, ${lit(JSON.stringify(notice))})`,
      'commit',
    );
    await client.query(statements.join(';\n'));
    return { applied: fresh, nextOffset: batch.nextOffset };
  } catch (error) {
    // A connection that cannot even roll back is dropped from the pool, not reused.
    const unusable = await client.query('rollback').then(
      () => undefined,
      (rollbackError: unknown) => rollbackError as Error,
    );
    client.release(unusable);
    released = true;
    throw error;
  } finally {
    if (!released) client.release();
  }
}

export async function readProjectionOffsets(
  em: EntityManager,
  schema: string,
  projection: string,
  topic: string,
): Promise<Map<number, string>> {
  const rows = await em.fork().execute<{ partition: number; next_offset: string }[]>(
    `select partition, next_offset from ${qualified(schema, 'projection_offsets')}
       where projection = ? and topic = ?`,
    [projection, topic],
  );
  return new Map(rows.map((row) => [row.partition, row.next_offset]));
}
