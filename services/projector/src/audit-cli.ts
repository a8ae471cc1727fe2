import { parseArgs } from 'node:util';
import { validAt } from '@session-authority/audit';
import { loadProjectorConfig } from '@session-authority/config';
import {
  createAuditReader,
  listQuarantined,
  openReadModel,
  type AuditEvent,
  type AuditQuery,
} from '@session-authority/read-model';
import { differenceLine } from './audit/difference-line.js';
import { verifyAgainstLog } from './audit/verify-log.js';
import { quarantineTable } from './quarantine-table.js';
import { textTable } from './text-table.js';

const USAGE = `The audit trail of the session log. See docs/audit.md.

  npm run audit -- events --session ID | --identity ID | --request ID | --actor ID
                          [--since TIME] [--until TIME] [--json]
      Every record about that session, identity, request or actor, oldest first.
  npm run audit -- valid-at SESSION_ID TIME [--json]
      Whether the session was valid at that instant, and why.
  npm run audit -- heads [--json]
      The head of each partition's hash chain: partition, offset, chain_sha256. Keep them
      elsewhere; a later verify that reaches a different head means the log was rewritten.
  npm run audit -- verify [--log-topic TOPIC] [--json]
      Replays the log from the beginning: per partition, the first record whose hash, order or
      presence differs from audit_events; then every difference between the sessions read model
      and the fold of the log. Exit code 1 on any difference, one line each; progress on stderr.
      --log-topic replays another copy of the log (one kept elsewhere) against the projections
      of KAFKA_TOPIC.
  npm run audit -- quarantine [--json]
      The records the projector could not read (as npm run quarantine).

TIME is RFC 3339 (2026-12-02T10:00:00Z). Output is a table, or JSON lines with --json.
Reads DATABASE_URL, DATABASE_SCHEMA, KAFKA_BROKERS, KAFKA_TOPIC (and Kafka security) like the
projector. Exit code 2 on bad arguments.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      session: { type: 'string' },
      identity: { type: 'string' },
      request: { type: 'string' },
      actor: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean' },
      'log-topic': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

let parsed: ReturnType<typeof parse>;
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
const [command, ...rest] = positionals;
const json = values.json === true;
const printJson = (value: unknown) =>
  console.log(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;
function time(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  if (!RFC3339.test(text)) fail(`${name} must be an RFC 3339 time, such as 2026-12-02T10:00:00Z`);
  return new Date(text);
}

function auditQuery(): Omit<AuditQuery, 'limit'> {
  const filters = (['session', 'identity', 'request', 'actor'] as const).filter(
    (name) => values[name] !== undefined,
  );
  const [by] = filters;
  if (filters.length !== 1 || by === undefined)
    fail('events needs exactly one of --session, --identity, --request, --actor');
  const since = time('--since', values.since);
  const until = time('--until', values.until);
  return {
    by,
    id: values[by] ?? '',
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
  };
}

const eventRow = (e: AuditEvent) => [
  e.at.toISOString(),
  `${e.partition}:${e.offset}`,
  e.type ?? '-',
  e.sessionId ?? '-',
  e.actor.type === null ? '-' : `${e.actor.type} ${e.actor.id ?? ''}`,
  e.reason ?? (e.problem === null ? '-' : `unreadable: ${e.problem}`),
  e.requestId ?? '-',
];
const EVENT_HEADER = ['time', 'partition:offset', 'type', 'session', 'actor', 'reason', 'request'];

const config = loadProjectorConfig();
const kafka = {
  brokers: config.KAFKA_BROKERS,
  clientId: `audit-${config.INSTANCE_ID}`,
  security: config.KAFKA_SECURITY,
};
if (command === undefined) fail('a command is needed');
// Arguments are checked before anything connects.
const eventsQuery = command === 'events' ? auditQuery() : undefined;
const [validSessionId, validTime] = rest;
const validInstant = command === 'valid-at' ? time('TIME', validTime) : undefined;
if (command === 'valid-at' && (validSessionId === undefined || validInstant === undefined))
  fail('valid-at needs SESSION_ID TIME');
const orm = await openReadModel({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
const schema = config.DATABASE_SCHEMA;
const audit = createAuditReader(orm.em, schema, config.KAFKA_TOPIC);
let exitCode = 0;
try {
  switch (command) {
    case 'events': {
      const query = eventsQuery ?? auditQuery();
      const events: AuditEvent[] = [];
      for (;;) {
        const last = events.at(-1);
        const after = last === undefined ? {} : { after: last };
        const page = await audit.events({ ...query, ...after, limit: 1000 });
        events.push(...page);
        if (page.length < 1000) break;
      }
      if (json) events.forEach(printJson);
      else
        console.log(
          events.length === 0 ? 'no records' : textTable(EVENT_HEADER, events.map(eventRow)),
        );
      break;
    }
    case 'valid-at': {
      const [sessionId, instant] = [validSessionId, validInstant];
      if (sessionId === undefined || instant === undefined) fail('valid-at needs SESSION_ID TIME');
      const records: AuditEvent[] = [];
      for (;;) {
        const last = records.at(-1);
        const after = last === undefined ? {} : { after: last };
        const query = { by: 'session', id: sessionId, ...after, limit: 1000 } as const;
        const page = await audit.events(query);
        records.push(...page);
        if (page.length < 1000) break;
      }
      const validity = validAt(sessionId, records, instant);
      if (json) printJson(validity);
      else {
        console.log(
          `${sessionId} at ${instant.toISOString()}: ${validity.valid ? 'VALID' : 'NOT VALID'}`,
        );
        for (const line of validity.because) console.log(`  ${line}`);
      }
      exitCode = validity.valid ? 0 : 1;
      break;
    }
    case 'heads': {
      const heads = await audit.heads();
      if (json) heads.forEach((head) => printJson({ topic: config.KAFKA_TOPIC, ...head }));
      else
        console.log(
          textTable(
            ['partition', 'offset', 'chain_sha256'],
            heads.map((h) => [String(h.partition), String(h.offset), h.chainSha256]),
          ),
        );
      break;
    }
    case 'verify': {
      const report = await verifyAgainstLog({
        orm,
        schema,
        topic: config.KAFKA_TOPIC,
        ...(values['log-topic'] === undefined ? {} : { logTopic: values['log-topic'] }),
        kafka,
        onProgress: (read, total) => {
          console.error(`verify: ${read} of ${total} records read`);
        },
      });
      const lines = [
        ...report.chain.map((d) => ({ check: 'chain' as const, ...d })),
        ...report.columns.map((d) => ({ check: 'columns' as const, ...d })),
        ...report.sessions.map((d) => ({ check: 'sessions' as const, ...d })),
      ];
      if (json) lines.forEach(printJson);
      else for (const d of lines) console.log(differenceLine(d));
      const rate = Math.round(report.records / Math.max(report.seconds, 0.001));
      const { snapshot, log, checks } = report.phases;
      console.error(
        `verified ${report.records} records in ${report.seconds.toFixed(2)} s (${rate} records/s; snapshot ${snapshot} s, log ${log} s, checks ${checks} s): ${lines.length === 0 ? 'no differences' : `${lines.length} differences`}`,
      );
      exitCode = lines.length === 0 ? 0 : 1;
      break;
    }
    case 'quarantine': {
      const rows = await listQuarantined(orm.em, schema);
      if (json) rows.forEach(printJson);
      else console.log(rows.length === 0 ? 'no quarantined records' : quarantineTable(rows));
      break;
    }
    default:
      fail(`unknown command: ${command}`);
  }
} finally {
  await orm.close();
}
process.exit(exitCode);
