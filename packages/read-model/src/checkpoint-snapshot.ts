import type { EntityManager } from '@mikro-orm/postgresql';
import type { CheckpointBody, SessionFacts } from '@session-authority/audit';
import {
  CheckpointedRows,
  writtenAfterSql,
  type CheckpointedTable,
  type RowsBelow,
  type RowsBelowCheckpoint,
} from './checkpoint-scans.js';
import { serialConnection, type Reader } from './audit-row-stream.js';
import { qualified } from './sql.js';
import {
  beginSnapshot,
  joinSnapshot,
  offsetArrays,
  readAuditRows,
  readProjectionEnds,
  readQuarantineRows,
  readSessionFacts,
  sessionFactsOf,
  type SessionFactsRow,
  type ProjectionEnds,
  type SnapshotAuditRow,
} from './snapshot-reads.js';

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

/** What the scans of whole tables say about the rows a checkpoint vouches for. */
export interface WholeTableScans {
  /** audit_events and quarantined_records below the checkpoint's offsets, over its partitions. */
  readonly auditBelow: RowsBelow;
  readonly quarantineBelow: RowsBelow;
  /** Sessions rows written after the checkpoint, by the projector or anyone else, as they are. */
  readonly sessionsWritten: readonly SessionFacts[];
  readonly sessionsRows: number;
}

/** audit_events and quarantined_records at or after the checkpoint's offsets. */
export interface RowsFromCheckpoint {
  readonly auditRows: ReadonlyMap<number, SnapshotAuditRow[]>;
  readonly quarantine: ReadonlyMap<string, Record<string, string | null>>;
}

/**
 * What `verify --since-checkpoint` reads, as of one instant; close() ends that instant. Besides
 * the scans, the reads share one connection and run one at a time, in the order they are asked
 * for; after close() they fail.
 */
export interface SinceCheckpointSnapshot extends ProjectionEnds {
  readonly pgSnapshot: string;
  /**
   * The scans of whole tables, begun on connections of their own as the snapshot opened, so that
   * they run while the log is read; the only reads here whose cost grows with history.
   */
  readonly scans: Promise<WholeTableScans>;
  rowsFromCheckpoint(): Promise<RowsFromCheckpoint>;
  /** For a table whose rows below the checkpoint disagree with it: which partitions do. */
  belowByPartition(table: CheckpointedTable): Promise<RowsBelowCheckpoint[]>;
  sessionFacts(ids: readonly string[]): Promise<SessionFacts[]>;
  /** The audit rows of these sessions below the given offsets, per partition in offset order. */
  history(ids: readonly string[], below: ReadonlyMap<number, bigint>): Promise<AuditHistoryRow[]>;
  close(): Promise<void>;
}

type Twin = Awaited<ReturnType<typeof joinSnapshot>>;

// The planner cannot know how few rows lie past a checkpoint: it guesses a third of each
// partition and compiled the range reads for that (over 100 ms each, for a few thousand rows).
const NO_JIT = 'set local jit = off';

export async function openSinceCheckpoint(
  em: EntityManager,
  schema: string,
  checkpoint: CheckpointBody,
): Promise<SinceCheckpointSnapshot> {
  const { topic } = checkpoint;
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  const connection = serialConnection(client);
  const twins: Twin[] = [];
  let scans: Promise<WholeTableScans> | undefined;
  const close = async () => {
    await scans?.catch(() => undefined);
    await Promise.all(twins.map((twin) => twin.close()));
    await connection.release('rollback');
  };
  try {
    const pgSnapshot = await beginSnapshot(client);
    await client.query(NO_JIT);
    const writtenAfter = (on: Reader) => writtenAfterSql(on, checkpoint.snapshot, 't');
    const fromOffsets = (pick: (p: CheckpointBody['partitions'][number]) => string) =>
      new Map(checkpoint.partitions.map((p) => [p.partition, BigInt(pick(p))]));
    const from = {
      audit_events: fromOffsets((p) => p.auditOffset),
      quarantined_records: fromOffsets((p) => p.quarantineOffset),
    };
    const rowsOf = (on: Reader, table: CheckpointedTable, written: string) =>
      new CheckpointedRows(on, schema, table, topic, from[table], written);
    const ends = await readProjectionEnds(client, schema, topic);
    for (let i = 0; i < 2; i++) {
      twins.push(await joinSnapshot(client, pool));
      await twins[i]?.client.query(NO_JIT);
    }
    const [tablesTwin, sessionsTwin] = twins.map((twin) => twin.client);
    if (tablesTwin === undefined || sessionsTwin === undefined) throw new Error('two twins');
    const checkpointedTotals = async () => {
      const written = await writtenAfter(tablesTwin);
      return {
        auditBelow: await rowsOf(tablesTwin, 'audit_events', written).total(),
        quarantineBelow: await rowsOf(tablesTwin, 'quarantined_records', written).total(),
      };
    };
    // The rows written since come with what verification compares of them: most of them are the
    // sessions the records after the checkpoint touched, whose facts need no lookups then.
    const sessionsScan = async () =>
      sessionsTwin.query<{ rows: string; written: SessionFactsRow[] | null }>(
        `select count(*) as rows,
           json_agg(json_build_object('id', t.id, 'revoked_at', t.revoked_at,
             'revoke_reason', t.revoke_reason, 'expires_at', t.expires_at))
             filter (where ${await writtenAfter(sessionsTwin)}) as written
         from ${qualified(schema, 'sessions')} t`,
      );
    scans = Promise.all([checkpointedTotals(), sessionsScan()]).then(([totals, sessions]) => ({
      ...totals,
      sessionsWritten: (sessions.rows[0]?.written ?? []).map(sessionFactsOf),
      sessionsRows: Number(sessions.rows[0]?.rows ?? 0),
    }));
    // Awaited by the verification, or by close() when it ends early; never an unhandled rejection.
    scans.catch(() => undefined);
    return {
      ...ends,
      pgSnapshot,
      scans,
      rowsFromCheckpoint: async () => {
        // Both asked for at once, so that reads asked for meanwhile queue behind both.
        const [auditRows, quarantine] = await Promise.all([
          readAuditRows(connection, schema, topic, from.audit_events),
          readQuarantineRows(connection, schema, topic, from.quarantined_records),
        ]);
        return { auditRows, quarantine };
      },
      belowByPartition: async (table) =>
        rowsOf(connection, table, await writtenAfter(connection)).byPartition(),
      sessionFacts: (ids) => readSessionFacts(connection, schema, ids),
      history: async (ids, below) => {
        const { rows } = await connection.query<{
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
          // other condition, PostgreSQL can plan nothing else, whatever its statistics say. Rows
          // from the offsets on (the log's to tell) are not sent.
          `select a.topic, a.log_partition, a.log_offset, a.session_id, a.event_id, a.type, a.source,
             a.at, a.data, a.problem,
             (select q.quarantined_at from ${qualified(schema, 'quarantined_records')} q
              where q.topic = a.topic and q.log_partition = a.log_partition
                and q.log_offset = a.log_offset) as quarantined_at
           from unnest($1::uuid[]) as s(id)
           cross join lateral (select * from ${qualified(schema, 'audit_events')} t
             where t.session_id = s.id offset 0) a
           join unnest($2::int[], $3::bigint[]) as b(partition, below)
             on b.partition = a.log_partition and a.log_offset < b.below`,
          [ids, ...offsetArrays(below)],
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
          .filter((row) => row.topic === topic)
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
