import type { EntityManager } from '@mikro-orm/postgresql';
import type { CheckpointBody, SessionFacts } from '@session-authority/audit';
import { qualified } from './sql.js';
import {
  beginSnapshot,
  joinSnapshot,
  offsetArrays,
  readAuditRows,
  readProjectionEnds,
  readQuarantineRows,
  readSessionFacts,
  type ProjectionEnds,
  type SnapshotAuditRow,
} from './snapshot-reads.js';

/** The rows of one partition below a checkpoint's offset, and how many were written since it. */
export interface RowsBelowCheckpoint {
  readonly partition: number;
  readonly rows: number;
  readonly written: number;
  readonly firstWritten: bigint | undefined;
}

/** An audit row of one session, as the projector's decoding can read it again. */
export interface AuditHistoryRow {
  readonly partition: number;
  readonly offset: bigint;
  readonly sessionId: string;
  readonly eventId: string | null;
  readonly type: string | null;
  readonly source: string | null;
  readonly at: Date;
  readonly data: unknown;
  readonly problem: string | null;
  /** Set when the record is in quarantined_records. */
  readonly quarantinedAt: Date | null;
}

/** What `verify --since-checkpoint` reads, as of one instant; close() ends that instant. */
export interface SinceCheckpointSnapshot extends ProjectionEnds {
  readonly pgSnapshot: string;
  /** audit_events and quarantined_records at or after the checkpoint's offsets. */
  readonly auditRows: ReadonlyMap<number, SnapshotAuditRow[]>;
  readonly quarantine: ReadonlyMap<string, Record<string, string | null>>;
  readonly auditBelow: readonly RowsBelowCheckpoint[];
  readonly quarantineBelow: readonly RowsBelowCheckpoint[];
  /** Sessions rows written after the checkpoint, by the projector or anyone else. */
  readonly sessionsWritten: readonly string[];
  readonly sessionsRows: number;
  sessionFacts(ids: readonly string[]): Promise<SessionFacts[]>;
  /** The audit rows of these sessions below the given offsets, per partition in offset order. */
  history(ids: readonly string[], below: ReadonlyMap<number, bigint>): Promise<AuditHistoryRow[]>;
  close(): Promise<void>;
}

const XID_SPACE = 4294967296n;

/**
 * SQL that is true for a row PostgreSQL wrote after the checkpoint's snapshot: its xmin is not
 * visible in that snapshot (as new as the snapshot's xmax, or one of the transactions it saw
 * running). age() measures both from the same transaction id, this transaction's, so they
 * compare; it holds for rows younger than 2^31 transactions. Rows are never updated in place,
 * so a row that was verified keeps its xmin (freezing keeps it too); an edit, a delete and
 * insert, or a restore from a dump all give it a new one.
 */
function writtenAfterSql(checkpointSnapshot: string, alias: string): string {
  const [, xmax, xip] = checkpointSnapshot.split(':');
  if (xmax === undefined || !/^\d+$/.test(xmax)) throw new Error('a checkpoint names no snapshot');
  const low = (xid: string) => (BigInt(xid) % XID_SPACE).toString();
  const running = (xip ?? '').split(',').filter((xid) => /^\d+$/.test(xid));
  const wasRunning =
    running.length === 0 ? '' : ` or ${alias}.xmin = any('{${running.map(low).join(',')}}'::xid[])`;
  return `(age(${alias}.xmin) <= age('${low(xmax)}'::xid)${wasRunning})`;
}

export async function openSinceCheckpoint(
  em: EntityManager,
  schema: string,
  checkpoint: CheckpointBody,
): Promise<SinceCheckpointSnapshot> {
  const { topic } = checkpoint;
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  const close = async () => {
    await client.query('rollback').catch(() => undefined);
    client.release();
  };
  try {
    const pgSnapshot = await beginSnapshot(client);
    // The planner cannot know how few rows lie past a checkpoint: it guesses a third of each
    // partition and compiled the range reads for that (over 100 ms each, for a few thousand rows).
    await client.query('set local jit = off');
    const writtenAfter = writtenAfterSql(checkpoint.snapshot, 't');
    const fromOffsets = (pick: (p: CheckpointBody['partitions'][number]) => string) =>
      new Map(checkpoint.partitions.map((p) => [p.partition, BigInt(pick(p))]));
    const auditFrom = fromOffsets((p) => p.auditOffset);
    const quarantineFrom = fromOffsets((p) => p.quarantineOffset);
    // Rows below the checkpoint: all rows less those from its offsets on (a range of the primary
    // key), so that the scan of the whole table evaluates nothing per row but the transaction id.
    const below = async (table: string, from: ReadonlyMap<number, bigint>) => {
      type Counts = { partition: number; rows: string; written: string };
      // Planned to hold however stale the statistics (a table that grew fast): no condition on
      // the topic, so the table is read in order rather than through the primary key, and the
      // million rows grouped into a dozen by hashing rather than sorting.
      await client.query('set local enable_sort = off');
      const all = await client.query<Counts & { topic: string }>(
        `select t.topic, t.log_partition as partition, count(*) as rows,
           count(*) filter (where ${writtenAfter}) as written
         from ${qualified(schema, table)} t group by t.topic, t.log_partition`,
      );
      await client.query('reset enable_sort');
      // Counted per partition in a range of the primary key (an aggregate in a lateral subquery is
      // never joined to a scan of the whole table, as a plain join of the offsets was).
      const since = await client.query<Counts>(
        `select f.partition, c.rows, c.written
         from unnest($2::int[], $3::bigint[]) as f(partition, start)
         cross join lateral (
           select count(*) as rows, count(*) filter (where ${writtenAfter}) as written
           from ${qualified(schema, table)} t
           where t.topic = $1 and t.log_partition = f.partition and t.log_offset >= f.start) c`,
        [topic, ...offsetArrays(from)],
      );
      const counted = (rows: Counts[], partition: number) => {
        const row = rows.find((r) => r.partition === partition);
        return { rows: Number(row?.rows ?? 0), written: Number(row?.written ?? 0) };
      };
      const found: RowsBelowCheckpoint[] = [];
      for (const [partition, start] of from) {
        const total = counted(
          all.rows.filter((r) => r.topic === topic),
          partition,
        );
        const after = counted(since.rows, partition);
        const written = total.written - after.written;
        let firstWritten: bigint | undefined;
        if (written > 0) {
          const first = await client.query<{ offset: string }>(
            `select min(t.log_offset)::text as offset from ${qualified(schema, table)} t
             where t.topic = $1 and t.log_partition = $2 and t.log_offset < $3 and ${writtenAfter}`,
            [topic, partition, start.toString()],
          );
          const offset = first.rows[0]?.offset;
          firstWritten = offset === undefined ? undefined : BigInt(offset);
        }
        found.push({ partition, rows: total.rows - after.rows, written, firstWritten });
      }
      return found;
    };
    const ends = await readProjectionEnds(client, schema, topic);
    // The two scans of whole tables (audit_events here, sessions on a twin) run at once.
    const twin = await joinSnapshot(client, pool);
    const [auditBelow, sessions] = await Promise.all([
      below('audit_events', auditFrom),
      twin.client
        .query<{ rows: string; written: string[] | null }>(
          `select count(*) as rows, array_agg(t.id) filter (where ${writtenAfter}) as written
           from ${qualified(schema, 'sessions')} t`,
        )
        .finally(() => twin.close()),
    ]);
    const quarantineBelow = await below('quarantined_records', quarantineFrom);
    const auditRows = await readAuditRows(client, schema, topic, auditFrom);
    const quarantine = await readQuarantineRows(client, schema, topic, quarantineFrom);
    return {
      ...ends,
      pgSnapshot,
      auditRows,
      quarantine,
      auditBelow,
      quarantineBelow,
      sessionsWritten: sessions.rows[0]?.written ?? [],
      sessionsRows: Number(sessions.rows[0]?.rows ?? 0),
      sessionFacts: (ids) => readSessionFacts(client, schema, ids),
      history: async (ids, below) => {
        const { rows } = await client.query<{
          topic: string;
          log_partition: number;
          log_offset: string;
          session_id: string;
          event_id: string | null;
          type: string | null;
          source: string | null;
          at: Date;
          data: unknown;
          problem: string | null;
          quarantined_at: Date | null;
        }>(
          // One lookup of the session_id index per session: behind the `offset 0` fence, with no
          // other condition, PostgreSQL can plan nothing else, whatever its statistics say.
          `select a.topic, a.log_partition, a.log_offset, a.session_id, a.event_id, a.type, a.source,
             a.at, a.data, a.problem,
             (select q.quarantined_at from ${qualified(schema, 'quarantined_records')} q
              where q.topic = a.topic and q.log_partition = a.log_partition
                and q.log_offset = a.log_offset) as quarantined_at
           from unnest($1::uuid[]) as s(id)
           cross join lateral (select * from ${qualified(schema, 'audit_events')} t
             where t.session_id = s.id offset 0) a`,
          [ids],
        );
        return rows
          .map((row) => ({
            topic: row.topic,
            partition: row.log_partition,
            offset: BigInt(row.log_offset),
            sessionId: row.session_id,
            eventId: row.event_id,
            type: row.type,
            source: row.source,
            at: new Date(row.at),
            data: row.data,
            problem: row.problem,
            quarantinedAt: row.quarantined_at === null ? null : new Date(row.quarantined_at),
          }))
          .filter((row) => row.topic === topic && row.offset < (below.get(row.partition) ?? 0n))
          .map(({ topic: _topic, ...row }) => row)
          .sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1));
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
