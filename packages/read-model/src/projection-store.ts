import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  PositionedEvent,
  PositionedRecord,
  QuarantinedRecord,
} from '@session-authority/events';
import type { FreshEvents, PreCommitStep, Projection, SqlContext } from './projection.js';
import { encodeOffsetNotice, OFFSETS_CHANNEL } from './offsets-notice.js';
import {
  CommittedOffsets,
  offsetKey,
  offsetsGuard,
  OFFSETS_MOVED,
  openReadingOffsets,
} from './projection-offsets.js';
import { runWithSteps, type PartTimer } from './pre-commit-steps.js';
import { qualified } from './sql.js';

/** Consecutive records of one partition; `nextOffset` is one past the last record, skipped ones included. */
export interface ProjectionBatch {
  readonly partition: number;
  readonly events: readonly PositionedEvent[];
  readonly quarantined: readonly QuarantinedRecord[];
  /** Every record of the batch below nextOffset, as read from the log. */
  readonly records: readonly PositionedRecord[];
  readonly nextOffset: bigint;
}

export interface BatchOutcome {
  /** The events that at least one projection had not applied before. */
  readonly applied: readonly PositionedEvent[];
  /** Where the slowest projection now stands in this partition. */
  readonly nextOffset: bigint;
}

export interface ProjectionStore {
  /** Per partition, the lowest next offset of any projection: where a subscription resumes. */
  startOffsets(): Promise<Map<number, bigint>>;
  /**
   * Applies batches of distinct partitions to every projection and moves each projection's
   * offsets, all in ONE transaction, then notifies watermarks (PostgreSQL delivers NOTIFY on
   * commit); the pre-commit steps run before that commit. Records below a projection's stored
   * offset were applied before and are dropped.
   */
  apply(batches: readonly ProjectionBatch[]): Promise<BatchOutcome[]>;
}

export interface ProjectionStoreOptions {
  readonly em: EntityManager;
  readonly schema: string;
  readonly topic: string;
  readonly projections: readonly Projection[];
  /** Run before each commit, beside the projections' statements (see PreCommitStep). */
  readonly preCommit?: readonly PreCommitStep[];
  /** Told the time of each part of every transaction (see PartTimer). */
  readonly timed?: PartTimer;
}

export function createProjectionStore(options: ProjectionStoreOptions): ProjectionStore {
  const { em, schema, topic, projections } = options;
  const offsetsTable = qualified(schema, 'projection_offsets');
  const committed = new CommittedOffsets();
  return {
    async startOffsets() {
      const stored = await Promise.all(
        projections.map((p) => readProjectionOffsets(em, schema, p.name, topic)),
      );
      const start = new Map<number, bigint>();
      for (const offsets of stored) {
        for (const [partition, next] of offsets) {
          const seen = start.get(partition);
          start.set(partition, seen === undefined || next < seen ? next : seen);
        }
      }
      // A partition a projection has never seen starts from 0 for all of them.
      for (const partition of start.keys()) {
        if (stored.some((offsets) => !offsets.has(partition))) start.set(partition, 0n);
      }
      return start;
    },
    apply: (batches) =>
      applyInOneTransaction(
        em,
        {
          schema,
          topic,
          projections,
          preCommit: options.preCommit ?? [],
          offsetsTable,
          committed,
          timed: options.timed ?? (() => undefined),
        },
        batches,
      ),
  };
}

interface Moving {
  readonly projection: Projection;
  readonly batch: ProjectionBatch;
  readonly fresh: readonly PositionedEvent[];
  readonly quarantined: readonly QuarantinedRecord[];
  readonly records: readonly PositionedRecord[];
}

async function applyInOneTransaction(
  em: EntityManager,
  target: {
    schema: string;
    topic: string;
    projections: readonly Projection[];
    preCommit: readonly PreCommitStep[];
    offsetsTable: string;
    timed: PartTimer;
    committed: CommittedOffsets;
  },
  batches: readonly ProjectionBatch[],
): Promise<BatchOutcome[]> {
  if (batches.length === 0) return [];
  const partitions = batches.map((b) => b.partition);
  if (
    partitions.some((p) => !Number.isInteger(p)) ||
    new Set(partitions).size !== partitions.length
  )
    throw new Error('one batch per partition is expected');
  const { topic, projections, offsetsTable } = target;
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  const sql: SqlContext = {
    table: (name) => qualified(target.schema, name),
    literal: (value) => client.escapeLiteral(value),
    topic,
  };
  let released = false;
  try {
    const names = projections.map((p) => p.name);
    const expected = target.committed.lookup(names, partitions);
    // With the offsets known, the guard opens the transaction in the same round trip as the SQL.
    const opening =
      expected === undefined ? [] : ['begin', offsetsGuard(sql, offsetsTable, expected)];
    const stored =
      expected ?? (await openReadingOffsets(client, sql, offsetsTable, projections, partitions));
    const storedNext = (projection: string, partition: number) =>
      stored.get(offsetKey(projection, partition)) ?? 0n;

    const moving: Moving[] = projections.flatMap((projection) =>
      batches
        .filter((batch) => batch.nextOffset > storedNext(projection.name, batch.partition))
        .map((batch) => {
          const from = storedNext(projection.name, batch.partition);
          const fresh = batch.events.filter((e) => e.offset >= from);
          const quarantined = batch.quarantined.filter((q) => q.offset >= from);
          const records = batch.records.filter((r) => r.offset >= from);
          return { projection, batch, fresh, quarantined, records };
        }),
    );
    if (moving.length === 0) {
      if (opening.length === 0) await client.query('rollback');
    } else {
      const statements: string[] = [];
      for (const projection of projections) {
        const fresh: FreshEvents[] = moving
          .filter((m) => m.projection === projection)
          .map((m) => ({
            partition: m.batch.partition,
            events: m.fresh.filter((e) => projection.handles.has(e.event.type)),
            quarantined: m.quarantined,
            records: m.records,
          }));
        if (
          fresh.some((f) => f.records.length > 0 || f.events.length > 0 || f.quarantined.length > 0)
        )
          statements.push(...projection.statements(fresh, sql));
      }
      const moved = moving.map(
        (m) => `(${sql.literal(m.projection.name)}, ${m.batch.partition}, ${m.batch.nextOffset})`,
      );
      const notices = moving
        .filter((m) => m.projection.followed === true)
        .map((m) => {
          const notice = encodeOffsetNotice({
            projection: m.projection.name,
            topic,
            partition: m.batch.partition,
            next: m.batch.nextOffset.toString(),
          });
          return `pg_notify(${sql.literal(OFFSETS_CHANNEL)}, ${sql.literal(notice)})`;
        });
      statements.push(
        `update ${offsetsTable} o set next_offset = v.next, updated_at = now()
         from (values ${moved.join(', ')}) as v(projection, partition, next)
         where o.projection = v.projection and o.topic = ${sql.literal(topic)} and o.partition = v.partition`,
      );
      if (notices.length > 0) statements.push(`select ${notices.join(', ')}`);
      const committing = batches.filter((batch) => moving.some((m) => m.batch === batch));
      const { preCommit, timed } = target;
      await runWithSteps(client, [...opening, ...statements], preCommit, committing, sql, timed);
    }
    target.committed.remember(stored);
    target.committed.remember(
      moving.map((m) => [offsetKey(m.projection.name, m.batch.partition), m.batch.nextOffset]),
    );
    return batches.map((batch) => {
      const applied = new Map<bigint, PositionedEvent>();
      let nextOffset: bigint | undefined;
      for (const projection of projections) {
        const entry = moving.find((m) => m.batch === batch && m.projection === projection);
        for (const event of entry?.fresh ?? []) applied.set(event.offset, event);
        const next = entry?.batch.nextOffset ?? storedNext(projection.name, batch.partition);
        if (nextOffset === undefined || next < nextOffset) nextOffset = next;
      }
      return { applied: [...applied.values()], nextOffset: nextOffset ?? 0n };
    });
  } catch (error) {
    // A connection that cannot even roll back is dropped from the pool, not reused.
    const unusable = await client.query('rollback').then(
      () => undefined,
      (rollbackError: unknown) => rollbackError as Error,
    );
    client.release(unusable);
    released = true;
    target.committed.forget();
    // Another projector moved on meanwhile (a failover): read where it left the offsets.
    if ((error as { code?: unknown }).code === OFFSETS_MOVED)
      return await applyInOneTransaction(em, target, batches);
    throw error;
  } finally {
    if (!released) client.release();
  }
}

/** A projection's next offset per partition, as stored. */
export async function readProjectionOffsets(
  em: EntityManager,
  schema: string,
  projection: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const rows = await em.fork().execute<{ partition: number; next_offset: string }[]>(
    `select partition, next_offset from ${qualified(schema, 'projection_offsets')}
       where projection = ? and topic = ?`,
    [projection, topic],
  );
  return new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
}
