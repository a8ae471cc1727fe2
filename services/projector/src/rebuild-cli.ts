import { parseArgs } from 'node:util';
import { loadProjectorConfig } from '@session-authority/config';
import { createLogger } from './logger.js';
import { RebuildError, rebuildReadModel } from './rebuild.js';
import { rebuildFromState } from './rebuild-from-state.js';

const USAGE = `Makes the read model again in a fresh PostgreSQL schema.

  npm run rebuild -- [--schema NAME] [--from-state]

Without --from-state it replays the whole event log. With it, the sessions projection starts from
the session-state topic (SESSION_STATE_TOPIC) and applies only the log after its checkpoints; the
audit projection, when PROJECTIONS has it, is then replayed from the whole log.

NAME defaults to rebuild_<UTC timestamp>. Reads KAFKA_BROKERS, KAFKA_TOPIC, DATABASE_URL like
the projector. When it is done, point every service at the new schema (DATABASE_SCHEMA=NAME).`;

const { values } = parseArgs({
  options: {
    schema: { type: 'string' },
    'from-state': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}
const schema =
  values.schema ?? `rebuild_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
  console.error(`--schema must be a lower-case SQL identifier, not "${schema}"`);
  process.exit(2);
}

const config = loadProjectorConfig();
const logger = createLogger(config.LOG_LEVEL, `rebuild-${schema}`, 2);
const common = {
  brokers: config.KAFKA_BROKERS,
  security: config.KAFKA_SECURITY,
  topic: config.KAFKA_TOPIC,
  databaseUrl: config.DATABASE_URL,
  schema,
  logger,
};
try {
  const result =
    values['from-state'] === true
      ? await rebuildFromState({
          ...common,
          stateTopic: config.SESSION_STATE_TOPIC,
          projections: config.PROJECTIONS,
        })
      : await rebuildReadModel({
          ...common,
          projections: config.PROJECTIONS,
          feed: { topic: config.FEED_TOPIC, replicationFactor: config.KAFKA_REPLICATION_FACTOR },
        });
  console.log(JSON.stringify(result));
} catch (error) {
  if (!(error instanceof RebuildError)) throw error;
  console.error(`rebuild failed: ${error.message}`);
  process.exit(1);
}
