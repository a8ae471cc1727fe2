import type { Reader } from './audit-row-stream.js';
import { offsetArrays } from './snapshot-reads.js';
import { qualified } from './sql.js';

/** Rows of a table below a checkpoint's offsets, and how many of them were written since it. */
export interface RowsBelow {
  readonly rows: number;
  readonly written: number;
}

/** The rows of one partition below a checkpoint's offset, and how many were written since it. */
export interface RowsBelowCheckpoint extends RowsBelow {
  readonly partition: number;
  readonly firstWritten: bigint | undefined;
}

/** The tables whose rows a checkpoint counts per partition. */
export type CheckpointedTable = 'audit_events' | 'quarantined_records';

const XID_SPACE = 4294967296n;

/**
 * SQL that is true for a row PostgreSQL wrote after the checkpoint's snapshot: its xmin is not
 * visible in that snapshot (as new as the snapshot's xmax, or one of the transactions it saw
 * running). age() measures both from the same transaction id, this transaction's, so they
 * compare; it holds for rows younger than 2^31 transactions. Rows are never updated in place,
 * so a row that was verified keeps its xmin (freezing keeps it too); an edit, a delete and
 * insert, or a restore from a dump all give it a new one.
 *
 * The xmax's age is read once, on the connection that will run the SQL: age() counts from a base
 * that stays put for the whole transaction, so it is a constant there. Computed for every row,
 * it cost a quarter of a scan of audit_events.
 */
export async function writtenAfterSql(
  client: Reader,
  checkpointSnapshot: string,
  alias: string,
): Promise<string> {
  const [, xmax, xip] = checkpointSnapshot.split(':');
  if (xmax === undefined || !/^\d+$/.test(xmax)) throw new Error('a checkpoint names no snapshot');
  const low = (xid: string) => (BigInt(xid) % XID_SPACE).toString();
  const { rows } = await client.query<{ age: number }>('select age($1::xid) as age', [low(xmax)]);
  const xmaxAge = rows[0]?.age;
  if (!Number.isInteger(xmaxAge)) throw new Error('PostgreSQL gave no age for the checkpoint');
  const running = (xip ?? '').split(',').filter((xid) => /^\d+$/.test(xid));
  const wasRunning =
    running.length === 0 ? '' : ` or ${alias}.xmin = any('{${running.map(low).join(',')}}'::xid[])`;
  return `(age(${alias}.xmin) <= ${xmaxAge}${wasRunning})`;
}

/** Reads of one table of one checkpoint, on a connection inside the verification's snapshot. */
export class CheckpointedRows {
  private readonly table: string;

  constructor(
    private readonly client: Reader,
    schema: string,
    table: CheckpointedTable,
    private readonly topic: string,
    private readonly from: ReadonlyMap<number, bigint>,
    /** writtenAfterSql of the checkpoint on this client, for the alias `t`. */
    private readonly writtenAfter: string,
  ) {
    this.table = qualified(schema, table);
  }

  /**
   * All rows below the checkpoint, in one pass over the table that only counts: the rows of the
   * topic less those from the checkpoint's offsets on (ranges of the primary key). Equal to what
   * the checkpoint counted with none written since, the rows it vouched for are all still there.
   */
  async total(): Promise<RowsBelow> {
    const whole = await this.client.query<{ rows: string; written: string }>(
      `select count(*) filter (where t.topic = $1) as rows,
         count(*) filter (where t.topic = $1 and ${this.writtenAfter}) as written
       from ${this.table} t`,
      [this.topic],
    );
    const since = await this.countedFromOffsets();
    const sum = (pick: (row: RowsBelow) => number) =>
      since.reduce((total, row) => total + pick(row), 0);
    return {
      rows: Number(whole.rows[0]?.rows ?? 0) - sum((row) => row.rows),
      written: Number(whole.rows[0]?.written ?? 0) - sum((row) => row.written),
    };
  }

  /** Where the total disagrees with the checkpoint: which partitions lost or rewrote rows. */
  async byPartition(): Promise<RowsBelowCheckpoint[]> {
    type Counts = { partition: number; rows: string; written: string };
    // Only when a total disagrees: one more pass over the whole table, grouped per partition
    // without a sort of its million rows.
    await this.client.query('set local enable_sort = off');
    const all = await this.client.query<Counts & { topic: string }>(
      `select t.topic, t.log_partition as partition, count(*) as rows,
         count(*) filter (where ${this.writtenAfter}) as written
       from ${this.table} t group by t.topic, t.log_partition`,
    );
    await this.client.query('reset enable_sort');
    const since = await this.countedFromOffsets();
    const found: RowsBelowCheckpoint[] = [];
    for (const [partition, start] of this.from) {
      const total = all.rows.find((r) => r.topic === this.topic && r.partition === partition);
      const after = since.find((r) => r.partition === partition);
      const written = Number(total?.written ?? 0) - (after?.written ?? 0);
      found.push({
        partition,
        rows: Number(total?.rows ?? 0) - (after?.rows ?? 0),
        written,
        firstWritten: written > 0 ? await this.firstWritten(partition, start) : undefined,
      });
    }
    return found;
  }

  /** Per partition, the rows from the checkpoint's offset on and how many were written since. */
  private async countedFromOffsets(): Promise<(RowsBelow & { partition: number })[]> {
    // An aggregate in a lateral subquery, so that each is a range of the primary key (a plain
    // join of the offsets was planned as a scan of the whole table).
    const { rows } = await this.client.query<{ partition: number; rows: string; written: string }>(
      `select f.partition, c.rows, c.written
       from unnest($2::int[], $3::bigint[]) as f(partition, start)
       cross join lateral (
         select count(*) as rows, count(*) filter (where ${this.writtenAfter}) as written
         from ${this.table} t
         where t.topic = $1 and t.log_partition = f.partition and t.log_offset >= f.start) c`,
      [this.topic, ...offsetArrays(this.from)],
    );
    return rows.map((row) => ({
      partition: row.partition,
      rows: Number(row.rows),
      written: Number(row.written),
    }));
  }

  private async firstWritten(partition: number, start: bigint): Promise<bigint | undefined> {
    const { rows } = await this.client.query<{ offset: string | null }>(
      `select min(t.log_offset)::text as offset from ${this.table} t
       where t.topic = $1 and t.log_partition = $2 and t.log_offset < $3 and ${this.writtenAfter}`,
      [this.topic, partition, start.toString()],
    );
    const offset = rows[0]?.offset;
    return offset === undefined || offset === null ? undefined : BigInt(offset);
  }
}
