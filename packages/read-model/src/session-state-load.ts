import type { EntityManager } from '@mikro-orm/postgresql';
import { QUARANTINED_KEY_PREFIX, type StateRow } from './session-state.js';
import { qualified } from './sql.js';

/**
 * Writes rows of a session-state topic, in their order in one partition, into an empty read
 * model: a later row of a session replaces an earlier one (a compacted topic may still hold
 * both); a quarantined record is inserted once. The values are the rows' own JSON, so no column
 * is named here but the key.
 */
export async function loadStateRows(
  em: EntityManager,
  schema: string,
  rows: readonly Pick<StateRow, 'key' | 'value'>[],
): Promise<void> {
  const latest = new Map<string, string>();
  const quarantined: string[] = [];
  for (const { key, value } of rows) {
    if (key.startsWith(QUARANTINED_KEY_PREFIX)) quarantined.push(value);
    else latest.set(key, value);
  }
  // The pool's own client: the JSON goes as a bound parameter, never into the statement's text.
  const pool = await em.getConnection().getNativeClient();
  if (latest.size > 0) {
    const sessions = qualified(schema, 'sessions');
    const columns = await sessionColumns(em, schema);
    const set = columns.map((c) => `"${c}" = excluded."${c}"`).join(', ');
    await pool.query(
      `insert into ${sessions} select * from jsonb_populate_recordset(null::${sessions}, $1::jsonb)
       on conflict (id) do update set ${set}`,
      [`[${[...latest.values()].join(',')}]`],
    );
  }
  if (quarantined.length > 0) {
    const table = qualified(schema, 'quarantined_records');
    await pool.query(
      `insert into ${table} select * from jsonb_populate_recordset(null::${table}, $1::jsonb)
       on conflict do nothing`,
      [`[${quarantined.join(',')}]`],
    );
  }
}

const columnsBySchema = new Map<string, Promise<string[]>>();

function sessionColumns(em: EntityManager, schema: string): Promise<string[]> {
  let columns = columnsBySchema.get(schema);
  if (columns === undefined) {
    columns = em
      .fork()
      .execute<{ column_name: string }[]>(
        `select column_name from information_schema.columns
         where table_schema = ? and table_name = 'sessions' and column_name <> 'id'`,
        [schema],
      )
      .then((rows) => rows.map((row) => row.column_name));
    columnsBySchema.set(schema, columns);
  }
  return columns;
}
