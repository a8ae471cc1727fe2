import type { EntityManager } from '@mikro-orm/postgresql';
import type { CheckpointBody, SessionFacts } from '@session-authority/audit';
import { qualified } from './sql.js';
import {
  beginSnapshot,
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
 * visible in that snapshot. xmin is a 32-bit transaction id; it is widened to 64 bits against
 * `now` (the current snapshot's xmax), which holds for rows younger than 2^31 transactions.
 * Rows are never updated in place, so a row that was verified keeps its xmin (freezing keeps it
 * too); an edit, a delete and insert, or a restore from a dump all give it a new one.
 */
function writtenAfterSql(checkpointSnapshot: string, nowSnapshot: string, alias: string): string {
  const [xmin, xmax, xip] = checkpointSnapshot.split(':');
  const now = BigInt(nowSnapshot.split(':')[1] ?? '0');
  const inProgress = (xip ?? '').split(',').filter(Boolean).map(BigInt);
  if (xmin === undefined || xmax === undefined) throw new Error('a checkpoint names no snapshot');
  const raw = `${alias}.xmin::text::bigint`;
  const wide = `(${now} - ((${now % XID_SPACE} - ${raw} + ${XID_SPACE}) % ${XID_SPACE}))`;
  const running = inProgress.length === 0 ? 'false' : `${wide} in (${inProgress.join(', ')})`;
  // xids below 3 are PostgreSQL's own (bootstrap, frozen): old by definition.
  return `(${raw} >= 3 and (${wide} >= ${BigInt(xmax)} or ${running}))`;
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
    const writtenAfter = writtenAfterSql(checkpoint.snapshot, pgSnapshot, 't');
    const fromOffsets = (pick: (p: CheckpointBody['partitions'][number]) => string) =>
      new Map(checkpoint.partitions.map((p) => [p.partition, BigInt(pick(p))]));
    const auditFrom = fromOffsets((p) => p.auditOffset);
    const quarantineFrom = fromOffsets((p) => p.quarantineOffset);
    const below = async (table: string, from: ReadonlyMap<number, bigint>) => {
      const { rows } = await client.query<{
        partition: number;
        rows: string;
        written: string;
        first_written: string | null;
      }>(
        `select t.log_partition as partition, count(*) as rows,
           count(*) filter (where ${writtenAfter}) as written,
           min(t.log_offset) filter (where ${writtenAfter}) as first_written
         from ${qualified(schema, table)} t
         join unnest($2::int[], $3::bigint[]) as f(partition, start) on f.partition = t.log_partition
         where t.topic = $1 and t.log_offset < f.start
         group by t.log_partition`,
        [topic, ...offsetArrays(from)],
      );
      return rows.map((row) => ({
        partition: row.partition,
        rows: Number(row.rows),
        written: Number(row.written),
        firstWritten: row.first_written === null ? undefined : BigInt(row.first_written),
      }));
    };
    const ends = await readProjectionEnds(client, schema, topic);
    const auditBelow = await below('audit_events', auditFrom);
    const quarantineBelow = await below('quarantined_records', quarantineFrom);
    const sessions = await client.query<{ rows: string; written: string[] | null }>(
      `select count(*) as rows, array_agg(t.id) filter (where ${writtenAfter}) as written
       from ${qualified(schema, 'sessions')} t`,
    );
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
          `select a.log_partition, a.log_offset, a.session_id, a.event_id, a.type, a.source, a.at,
             a.data, a.problem, q.quarantined_at
           from ${qualified(schema, 'audit_events')} a
           join unnest($3::int[], $4::bigint[]) as f(partition, below)
             on f.partition = a.log_partition and a.log_offset < f.below
           left join ${qualified(schema, 'quarantined_records')} q
             on q.topic = a.topic and q.log_partition = a.log_partition and q.log_offset = a.log_offset
           where a.topic = $1 and a.session_id = any($2::uuid[])
           order by a.log_partition, a.log_offset`,
          [topic, ids, ...offsetArrays(below)],
        );
        return rows.map((row) => ({
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
        }));
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
