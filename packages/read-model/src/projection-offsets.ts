import type pg from 'pg';
import type { Projection, SqlContext } from './projection.js';
import { qualified } from './sql.js';

// How a projection store's transaction learns, or checks, each projection's stored offsets.

export const offsetKey = (projection: string, partition: number) =>
  `${projection}\u0000${partition}`;

/**
 * The offsets this store last committed. While they are the stored ones (no other projector
 * moved them), a batch's transaction checks them in its first statement instead of reading
 * them in a round trip of its own before it.
 */
export class CommittedOffsets {
  private readonly next = new Map<string, bigint>();

  /** Every (projection, partition) pair's offset, or undefined when one of them is not known. */
  lookup(projections: readonly string[], partitions: readonly number[]) {
    const found = new Map<string, bigint>();
    for (const projection of projections) {
      for (const partition of partitions) {
        const next = this.next.get(offsetKey(projection, partition));
        if (next === undefined) return undefined;
        found.set(offsetKey(projection, partition), next);
      }
    }
    return found;
  }

  remember(entries: Iterable<[string, bigint]>): void {
    for (const [k, next] of entries) this.next.set(k, next);
  }

  forget(): void {
    this.next.clear();
  }
}

/** Raised by the guard when another projector moved an offset this store expected. */
export const OFFSETS_MOVED = 'SA001';

/** One statement: locks the offset rows, or fails with OFFSETS_MOVED unless each is as expected. */
export function offsetsGuard(
  sql: SqlContext,
  offsetsTable: string,
  expected: ReadonlyMap<string, bigint>,
): string {
  const rows = [...expected].map(([k, next]) => {
    const [projection = '', partition = ''] = k.split('\u0000');
    return `(${sql.literal(projection)}, ${Number(partition)}, ${next}::bigint)`;
  });
  return `do $guard$ begin
    if (select count(*) from (
          select 1 from ${offsetsTable}
          where topic = ${sql.literal(sql.topic)}
            and (projection, partition, next_offset) in (values ${rows.join(', ')})
          for update) locked) <> ${rows.length} then
      raise exception 'projection offsets moved' using errcode = '${OFFSETS_MOVED}';
    end if;
  end $guard$`;
}

/** Opens the transaction, creating missing offset rows, and reads every stored offset. */
export async function openReadingOffsets(
  client: pg.PoolClient,
  sql: SqlContext,
  offsetsTable: string,
  projections: readonly Projection[],
  partitions: readonly number[],
): Promise<Map<string, bigint>> {
  // Sorted, so that concurrent appliers lock offset rows in the same order.
  const rows = projections
    .map((p) => p.name)
    .sort()
    .flatMap((name) =>
      [...partitions]
        .sort((a, b) => a - b)
        .map((p) => `(${sql.literal(name)}, ${sql.literal(sql.topic)}, ${p}, 0, now())`),
    );
  const opened = (await client.query(
    `begin;
     insert into ${offsetsTable} (projection, topic, partition, next_offset, updated_at)
     values ${rows.join(', ')}
     on conflict (projection, topic, partition) do update set next_offset = ${offsetsTable}.next_offset
     returning projection, partition, next_offset`,
  )) as unknown as pg.QueryResult<{
    projection: string;
    partition: number;
    next_offset: string;
  }>[];
  return new Map(
    (opened[1]?.rows ?? []).map((r) => [
      offsetKey(r.projection, r.partition),
      BigInt(r.next_offset),
    ]),
  );
}

/**
 * Stores where each of the projections stands in each partition, in one statement: a rebuild that
 * loaded a projection by other means than the projector's batches says where the projector goes on.
 */
export async function storeProjectionOffsets(
  db: Pick<pg.ClientBase, 'query'>,
  target: { readonly schema: string; readonly topic: string },
  projections: readonly string[],
  offsets: ReadonlyMap<number, bigint>,
): Promise<void> {
  const rows = projections.flatMap((projection) =>
    [...offsets].map(([partition, next]) => ({ projection, partition, next: next.toString() })),
  );
  if (rows.length === 0) return;
  await db.query(
    `insert into ${qualified(target.schema, 'projection_offsets')}
       (projection, topic, partition, next_offset, updated_at)
     select v.projection, $1, v.partition, v.next, now()
     from unnest($2::text[], $3::int[], $4::bigint[]) as v(projection, partition, next)
     on conflict (projection, topic, partition) do update set next_offset = excluded.next_offset`,
    [
      target.topic,
      rows.map((r) => r.projection),
      rows.map((r) => r.partition),
      rows.map((r) => r.next),
    ],
  );
}
