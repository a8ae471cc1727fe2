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
import { CheckpointKeyError } from '@session-authority/audit';
import { loadSigningKey, signedHeads, writeNewSigningKey } from './audit/signing-key.js';
import { runVerify } from './audit/verify-command.js';
import { quarantineTable } from './quarantine-table.js';
import { textTable } from './text-table.js';

const USAGE = `The audit trail of the session log. See docs/audit.md.

  npm run audit -- events --session ID | --identity ID | --request ID | --actor ID
                          [--since TIME] [--until TIME] [--json]
      Every record about that session, identity, request or actor, oldest first.
  npm run audit -- valid-at SESSION_ID TIME [--json]
      Whether the session was valid at that instant, and why.
  npm run audit -- heads [--json] [--signed]
      The head of each partition's hash chain: partition, offset, chain_sha256. Keep them
      elsewhere; a later verify that reaches a different head means the log was rewritten.
      --signed prints them as one JSON document signed with the audit signing key.
  npm run audit -- verify [--log-topic TOPIC | --since-checkpoint] [--json]
      Replays the log from the beginning: per partition, the first record whose hash, order or
      presence differs from audit_events; then every difference between the sessions read model
      and the fold of the log. Exit code 1 on any difference, one line each; progress on stderr.
      With a signing key set, a verify without differences records a signed checkpoint.
      --since-checkpoint starts from the last checkpoint: its signature, the rows it vouches
      for, and everything after it. --log-topic replays another copy of the log (one kept
      elsewhere) against the projections of KAFKA_TOPIC.
  npm run audit -- keygen FILE
      Writes a new Ed25519 signing key to FILE (readable by its owner only) and prints its
      public half; set AUDIT_SIGNING_KEY_FILE=FILE for verify and heads --signed.
  npm run audit -- quarantine [--json]
      The records the projector could not read (as npm run quarantine).

TIME is RFC 3339 (2026-12-02T10:00:00Z). Output is a table, or JSON lines with --json.
Reads DATABASE_URL, DATABASE_SCHEMA, KAFKA_BROKERS, KAFKA_TOPIC (and Kafka security) like the
projector, and AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY. Exit code 2 on bad arguments.`;

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
      'since-checkpoint': { type: 'boolean' },
      signed: { type: 'boolean' },
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

if (command === 'keygen') {
  const [file] = rest;
  if (file === undefined) fail('keygen needs FILE');
  try {
    const { keyId, publicKey } = writeNewSigningKey(file);
    console.log(`wrote key ${keyId} to ${file}; its public half:\n${publicKey}`);
    process.exit(0);
  } catch (error) {
    fail(`keygen: ${(error as Error).message}`);
  }
}

const config = loadProjectorConfig();
let signingKey: ReturnType<typeof loadSigningKey>;
try {
  signingKey = loadSigningKey(config);
} catch (error) {
  if (error instanceof CheckpointKeyError) fail(error.message);
  throw error;
}
const sinceCheckpoint = values['since-checkpoint'] === true;
if (sinceCheckpoint && values['log-topic'] !== undefined)
  fail('--since-checkpoint verifies the log itself; a copy (--log-topic) is verified in full');
if ((sinceCheckpoint || values.signed === true) && signingKey === undefined)
  fail(
    `${sinceCheckpoint ? '--since-checkpoint' : '--signed'} needs AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY`,
  );
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
      if (values.signed === true && signingKey !== undefined)
        printJson(signedHeads(config.KAFKA_TOPIC, heads, signingKey));
      else if (json) heads.forEach((head) => printJson({ topic: config.KAFKA_TOPIC, ...head }));
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
      exitCode = await runVerify({
        orm,
        schema,
        topic: config.KAFKA_TOPIC,
        kafka,
        logTopic: values['log-topic'],
        sinceCheckpoint,
        key: signingKey,
        json,
      });
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
