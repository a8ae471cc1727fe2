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

/** Rows for the two set-based statements. A session's events all share its partition (its key). */
function changesOf(batches: readonly { partition: number; fresh: readonly PositionedEvent[] }[]) {
  const changes: SessionChanges = { issued: [], revoked: [] };
  const revoked = new Set<string>();
  for (const { partition, fresh } of batches) {
    for (const { offset, event } of fresh) {
      if (event.type === 'session.issued.v1') {
        const d = event.data;
        changes.issued.push({
          id: d.session_id,
          identity_id: d.identity_id,
          token_sha256: d.token_sha256,
          issued_at: d.issued_at,
          authenticated_at: d.authenticated_at,
          expires_at: d.expires_at,
          log_partition: partition,
          log_offset: offset,
        });
      } else if (!revoked.has(event.data.session_id)) {
        // The first revocation in log order wins; later ones are no-ops.
        revoked.add(event.data.session_id);
        changes.revoked.push({
          id: event.data.session_id,
          revoked_at: event.data.revoked_at,
          reason: event.data.reason,
          log_partition: partition,
          log_offset: offset,
        });
      }
    }
  }
  return changes;
}

function digits(value: string): string {
  if (!/^\d+$/.test(value)) throw new Error(`not an offset: ${value}`);
  return value;
}

/** Applies one batch; see applyProjectionBatches. */
export async function applyProjectionBatch(
  em: EntityManager,
  schema: string,
  batch: ProjectionBatch,
): Promise<BatchOutcome> {
  const [outcome] = await applyProjectionBatches(em, schema, [batch]);
  if (outcome === undefined) throw new Error('no outcome for the batch');
  return outcome;
}

/**
 * Applies batches of distinct partitions and moves their offsets in ONE transaction, then
 * notifies listeners (PostgreSQL delivers NOTIFY only on commit). Records below a stored offset
 * were applied before and are dropped, and the writes are idempotent besides, so re-delivery is
 * harmless.
 *
 * Two round trips, each a multi-statement simple query: the first opens the transaction and
 * locks the partitions' offset rows, the second writes, moves the offsets, notifies and commits.
 */
export async function applyProjectionBatches(
  em: EntityManager,
  schema: string,
  batches: readonly ProjectionBatch[],
): Promise<BatchOutcome[]> {
  const first = batches[0];
  if (first === undefined) return [];
  const { projection, topic } = first;
  const partitions = batches.map((b) => Math.trunc(b.partition));
  if (
    batches.some((b) => b.projection !== projection || b.topic !== topic) ||
    new Set(partitions).size !== partitions.length
  ) {
    throw new Error('batches of one projection and topic, one per partition, are expected');
  }
  const offsets = qualified(schema, 'projection_offsets');
  const sessions = qualified(schema, 'sessions');
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  let released = false;
  const lit = (value: string) => client.escapeLiteral(value);
  const owner = `${lit(projection)}, ${lit(topic)}`;
  try {
    // Sorted, so that concurrent appliers lock offset rows in the same order.
    const rows = [...partitions].sort((a, b) => a - b).map((p) => `(${owner}, ${p}, 0, now())`);
    const opened = (await client.query(
      `begin;
       insert into ${offsets} (projection, topic, partition, next_offset, updated_at)
       values ${rows.join(', ')}
       on conflict (projection, topic, partition) do update set next_offset = ${offsets}.next_offset
       returning partition, next_offset`,
    )) as unknown as pg.QueryResult<{ partition: number; next_offset: string }>[];
    const stored = new Map(
      (opened[1]?.rows ?? []).map((row) => [row.partition, BigInt(row.next_offset)]),
    );
    const moving = batches
      .map((batch) => {
        const storedNext = stored.get(batch.partition) ?? 0n;
        const fresh = batch.events.filter((e) => BigInt(e.offset) >= storedNext);
        return { batch, storedNext, fresh, moves: BigInt(batch.nextOffset) > storedNext };
      })
      .filter((entry) => entry.moves);
    if (moving.length === 0) {
      await client.query('rollback');
    } else {
      const { issued, revoked } = changesOf(
        moving.map(({ batch, fresh }) => ({ partition: batch.partition, fresh })),
      );
      const statements: string[] = [];
      if (issued.length > 0) {
        statements.push(`insert into ${sessions} (id, identity_id, token_sha256, issued_at, authenticated_at,
           expires_at, revoked_at, revoke_reason, log_partition, log_offset)
         select id, identity_id, token_sha256, issued_at, authenticated_at, expires_at, null, null, log_partition, log_offset
         from jsonb_to_recordset(${lit(JSON.stringify(issued))}::jsonb) as x(id uuid, identity_id uuid, token_sha256 text,
           issued_at timestamptz, authenticated_at timestamptz, expires_at timestamptz, log_partition int, log_offset bigint)
         on conflict do nothing`);
      }
      if (revoked.length > 0) {
        statements.push(`update ${sessions} s
         set revoked_at = x.revoked_at, revoke_reason = x.reason, log_partition = x.log_partition, log_offset = x.log_offset
         from jsonb_to_recordset(${lit(JSON.stringify(revoked))}::jsonb)
           as x(id uuid, revoked_at timestamptz, reason text, log_partition int, log_offset bigint)
         where s.id = x.id and s.revoked_at is null`);
      }
      const moved = moving.map(({ batch }) => `(${batch.partition}, ${digits(batch.nextOffset)})`);
      const notices = moving.map(({ batch }) => {
        const notice: OffsetNotice = {
          projection,
          topic,
          partition: batch.partition,
          next: batch.nextOffset,
        };
        return `pg_notify(${lit(OFFSETS_CHANNEL)}, ${lit(JSON.stringify(notice))})`;
      });
      statements.push(
        `update ${offsets} o set next_offset = v.next, updated_at = now()
         from (values ${moved.join(', ')}) as v(partition, next)
         where o.projection = ${lit(projection)} and o.topic = ${lit(topic)} and o.partition = v.partition`,
        `select ${notices.join(', ')}`,
        'commit',
      );
      await client.query(statements.join(';\n'));
    }
    return batches.map((batch) => {
      const entry = moving.find((m) => m.batch === batch);
      return entry === undefined
        ? { applied: [], nextOffset: (stored.get(batch.partition) ?? 0n).toString() }
        : { applied: entry.fresh, nextOffset: batch.nextOffset };
    });
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
