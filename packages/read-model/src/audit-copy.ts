import { once } from 'node:events';
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { auditRowOf } from './audit-projection.js';
import { AUDIT_PROJECTION } from './audit-projection.js';
import { AUDIT_COLUMNS } from './audited-columns.js';
import { storeProjectionOffsets } from './projection-offsets.js';
import { qualified } from './sql.js';

type AuditRow = ReturnType<typeof auditRowOf>;

const COLUMNS = [
  'topic',
  'log_partition',
  'log_offset',
  ...AUDIT_COLUMNS,
  'record_sha256',
  'chain_sha256',
];

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: \N for null; backslash, tab and line ends escaped. */
function field(value: string | null): string {
  if (value === null) return '\\N';
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPED[c] ?? c) : value;
}

/** One row of audit_events as a line of COPY's text format, in the order of COLUMNS. */
export function auditCopyLine(topic: string, row: AuditRow, chainSha256: string): string {
  const fields = [field(topic), String(row.log_partition), row.log_offset];
  for (const column of AUDIT_COLUMNS) {
    const value = row[column];
    // data is JSON whatever its value; the other columns are text or null.
    const text = column === 'data' ? (value === null ? null : JSON.stringify(value)) : value;
    fields.push(field(text as string | null));
  }
  fields.push(row.record_sha256, chainSha256);
  return fields.join('\t');
}

export interface AuditCopy {
  /** Lines from auditCopyLine, each ending in a newline; resolves once the stream takes more. */
  write(lines: string | Buffer): Promise<void>;
  /** Ends the copy, builds the key and the indexes, stores the projection's offsets and commits. */
  finish(topic: string, offsets: ReadonlyMap<number, bigint>): Promise<number>;
  /** Rolls back: the schema is left as it was. */
  abort(): Promise<void>;
}

/**
 * Loads an empty audit_events in one transaction with COPY, its rows written frozen, its primary
 * key and indexes dropped while it loads and built again from their own definitions at the end
 * (one sort each instead of a million inserts into five trees). Nothing is visible until the
 * commit.
 */
export async function openAuditCopy(em: EntityManager, schema: string): Promise<AuditCopy> {
  const table = qualified(schema, 'audit_events');
  const pool = await em.getConnection().getNativeClient();
  const client: pg.PoolClient = await pool.connect();
  let failed: Error | undefined;
  let released = false;
  const end = async (commit: boolean) => {
    if (released) return;
    released = true;
    if (commit) {
      await client.query('commit');
      client.release();
    } else await rollback(client);
  };
  try {
    await client.query('begin');
    // Locked before it is counted: nothing can be written between the count and the truncate.
    await client.query(`lock table ${table} in access exclusive mode`);
    const rows = await client.query<{ n: string }>(`select count(*) as n from ${table}`);
    if (rows.rows[0]?.n !== '0') throw new Error(`${table} is not empty`);
    // Emptied in this transaction, so COPY may write its rows frozen: no later scan sets their hint
    // bits, and no vacuum has to freeze the whole history again.
    await client.query(`truncate ${table}`);
    // The primary key goes with the indexes: one sort at the end costs less than a check per row.
    const keys = await client.query<{ name: string; definition: string }>(
      `select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
       where conrelid = $1::regclass and contype in ('p', 'u')`,
      [table],
    );
    const indexes = await client.query<{ name: string; definition: string }>(
      `select indexname as name, indexdef as definition from pg_indexes i
       where schemaname = $1 and tablename = 'audit_events'
         and not exists (select 1 from pg_constraint c where c.conname = i.indexname
                         and c.connamespace = $1::regnamespace)`,
      [schema],
    );
    for (const { name } of keys.rows)
      await client.query(`alter table ${table} drop constraint "${name}"`);
    for (const { name } of indexes.rows)
      await client.query(`drop index ${qualified(schema, name)}`);
    const columns = COLUMNS.map((c) => `"${c}"`).join(', ');
    const copying = client.query(copyFrom(`copy ${table} (${columns}) from stdin with (freeze)`));
    copying.on('error', (error: Error) => (failed = error));
    return {
      async write(lines) {
        if (failed !== undefined) throw failed;
        // events.once rejects if the stream fails while it waits.
        if (!copying.write(lines)) await once(copying, 'drain');
      },
      async finish(topic, offsets) {
        if (failed !== undefined) throw failed;
        copying.end();
        await once(copying, 'finish');
        await client.query("set local maintenance_work_mem = '256MB'");
        for (const { name, definition } of keys.rows)
          await client.query(`alter table ${table} add constraint "${name}" ${definition}`);
        for (const { definition } of indexes.rows) await client.query(definition);
        await storeProjectionOffsets(client, { schema, topic }, [AUDIT_PROJECTION], offsets);
        await end(true);
        return copying.rowCount;
      },
      async abort() {
        // A COPY still open is failed first (CopyFail), or the rollback would queue behind it.
        if (!copying.destroyed && !copying.writableFinished) {
          const closed = new Promise((resolve) => copying.once('close', resolve));
          copying.destroy();
          await closed;
        }
        await end(false);
      },
    };
  } catch (error) {
    await end(false);
    throw error;
  }
}

async function rollback(client: pg.PoolClient): Promise<void> {
  const unusable = await client.query('rollback').then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  client.release(unusable);
}
