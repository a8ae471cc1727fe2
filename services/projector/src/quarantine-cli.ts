import { parseArgs } from 'node:util';
import { loadProjectorConfig } from '@session-authority/config';
import { listQuarantined, openReadModel, type QuarantinedRow } from '@session-authority/read-model';

const USAGE = `Lists the log records the projector quarantined: each failed its schema, and its session
was revoked with reason "quarantined" (fail closed). See README, "Operations".

  npm run quarantine -- [--json]

Reads DATABASE_URL and DATABASE_SCHEMA like the projector. Exit code 0 when there are none,
3 when there are some, 2 on bad arguments.`;

function table(rows: readonly QuarantinedRow[]): string {
  const header = ['quarantined at', 'topic', 'partition:offset', 'session', 'type', 'problem'];
  const cells = rows.map((r) => [
    r.quarantinedAt.toISOString(),
    r.topic,
    `${r.partition}:${r.offset}`,
    r.sessionId,
    r.type ?? '-',
    r.problem,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

let values: { json?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}
const config = loadProjectorConfig();
const orm = await openReadModel({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
try {
  const rows = await listQuarantined(orm.em, config.DATABASE_SCHEMA);
  if (values.json === true) {
    for (const row of rows) console.log(JSON.stringify({ ...row, offset: row.offset.toString() }));
  } else if (rows.length === 0) {
    console.log('no quarantined records');
  } else {
    console.log(table(rows));
  }
  process.exitCode = rows.length === 0 ? 0 : 3;
} finally {
  await orm.close();
}
