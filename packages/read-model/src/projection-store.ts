import type { EntityManager } from '@mikro-orm/postgresql';
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

/**
 * Applies a batch and moves the partition's offset in ONE transaction, then notifies listeners
 * (PostgreSQL delivers NOTIFY only on commit). Records below the stored offset were applied
 * before and are dropped, and the writes are idempotent besides, so re-delivery is harmless.
 */
export async function applyProjectionBatch(
  em: EntityManager,
  schema: string,
  batch: ProjectionBatch,
): Promise<BatchOutcome> {
  const offsets = qualified(schema, 'projection_offsets');
  const sessions = qualified(schema, 'sessions');
  return em.fork().transactional(async (tx) => {
    await tx.execute(
      `insert into ${offsets} (projection, topic, partition, next_offset, updated_at)
       values (?, ?, ?, 0, now()) on conflict do nothing`,
      [batch.projection, batch.topic, batch.partition],
    );
    const [stored] = await tx.execute<{ next_offset: string }[]>(
      `select next_offset from ${offsets} where projection = ? and topic = ? and partition = ? for update`,
      [batch.projection, batch.topic, batch.partition],
    );
    const storedNext = BigInt(stored?.next_offset ?? '0');
    if (BigInt(batch.nextOffset) <= storedNext) {
      return { applied: [], nextOffset: storedNext.toString() };
    }
    const fresh = batch.events.filter((e) => BigInt(e.offset) >= storedNext);
    const issued = [];
    const revoked = new Map<string, Record<string, unknown>>();
    for (const { offset, event } of fresh) {
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
    if (issued.length > 0) {
      await tx.execute(
        `insert into ${sessions} (id, identity_id, token_sha256, issued_at, authenticated_at,
           expires_at, revoked_at, revoke_reason, log_partition, log_offset)
         select id, identity_id, token_sha256, issued_at, authenticated_at, expires_at, null, null, ?, log_offset
         from jsonb_to_recordset(?::jsonb) as x(id uuid, identity_id uuid, token_sha256 text,
           issued_at timestamptz, authenticated_at timestamptz, expires_at timestamptz, log_offset bigint)
         on conflict do nothing`,
        [batch.partition, JSON.stringify(issued)],
      );
    }
    if (revoked.size > 0) {
      await tx.execute(
        `update ${sessions} s
         set revoked_at = x.revoked_at, revoke_reason = x.reason, log_partition = ?, log_offset = x.log_offset
         from jsonb_to_recordset(?::jsonb) as x(id uuid, revoked_at timestamptz, reason text, log_offset bigint)
         where s.id = x.id and s.revoked_at is null`,
        [batch.partition, JSON.stringify([...revoked.values()])],
      );
    }
    await tx.execute(
      `update ${offsets} set next_offset = ?, updated_at = now()
       where projection = ? and topic = ? and partition = ?`,
      [batch.nextOffset, batch.projection, batch.topic, batch.partition],
    );
    const notice: OffsetNotice = {
      projection: batch.projection,
      topic: batch.topic,
      partition: batch.partition,
      next: batch.nextOffset,
    };
    await tx.execute(`select pg_notify(?, ?)`, [OFFSETS_CHANNEL, JSON.stringify(notice)]);
    return { applied: fresh, nextOffset: batch.nextOffset };
  });
}

/** The stored next offset of every partition a projection has seen; the projector seeks to these. */
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
