import { parseArgs } from 'node:util';
import { loadProjectorConfig } from '@session-authority/config';
import { listQuarantined, openReadModel, skipHaltingRecord } from '@session-authority/read-model';
import { quarantineTable } from './quarantine-table.js';

const USAGE = `The records the projector could not apply. See docs/operations.md.

  npm run quarantine -- [--json]
      Lists quarantined records: each failed its schema, and its session was revoked with reason
      "quarantined". Exit code 0 when there are none, 3 when there are some.

  npm run quarantine -- skip --partition P --offset O
      Moves every projection past the record at P:O of KAFKA_TOPIC, which must be where they
      stand (a record with no session id as key halts its partition there), and notes it here.
      Restart the projectors afterwards. Exit code 0 when done, 1 when nothing stands there.

Reads DATABASE_URL, DATABASE_SCHEMA and KAFKA_TOPIC like the projector. Exit code 2 on bad
arguments.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      partition: { type: 'string' },
      offset: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  fail((error as Error).message);
}
const { values, positionals } = parsed;
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}
const command = positionals[0] ?? 'list';
if (!['list', 'skip'].includes(command) || positionals.length > 1)
  fail(`unknown command: ${positionals.join(' ')}`);

const config = loadProjectorConfig();
const orm = await openReadModel({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
try {
  if (command === 'skip') {
    if (!/^\d+$/.test(values.partition ?? '') || !/^\d+$/.test(values.offset ?? ''))
      fail('skip needs --partition and --offset, both whole numbers');
    const at = {
      topic: config.KAFKA_TOPIC,
      partition: Number(values.partition),
      offset: BigInt(values.offset ?? '0'),
    };
    const skipped = await skipHaltingRecord(orm.em, config.DATABASE_SCHEMA, at);
    console.log(
      skipped
        ? `moved past ${at.topic} ${at.partition}:${at.offset}; restart the projectors`
        : `no projection stands at ${at.topic} ${at.partition}:${at.offset}; nothing changed`,
    );
    process.exitCode = skipped ? 0 : 1;
  } else {
    const rows = await listQuarantined(orm.em, config.DATABASE_SCHEMA);
    if (values.json === true) {
      for (const row of rows)
        console.log(JSON.stringify({ ...row, offset: row.offset.toString() }));
    } else {
      console.log(rows.length === 0 ? 'no quarantined records' : quarantineTable(rows));
    }
    process.exitCode = rows.length === 0 ? 0 : 3;
  }
} finally {
  await orm.close();
}
