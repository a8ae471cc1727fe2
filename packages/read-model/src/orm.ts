import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import { readModelEntities } from './entities.js';
import { readModelMigrations } from './migrations/index.js';

export interface ReadModelOptions {
  readonly url: string;
  readonly schema?: string;
  readonly poolMax?: number;
}

export type ReadModelOrm = MikroORM;

export async function openReadModel(options: ReadModelOptions): Promise<ReadModelOrm> {
  const schema = options.schema ?? 'public';
  return MikroORM.init({
    clientUrl: options.url,
    schema,
    entities: readModelEntities,
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax ?? 10 },
    migrations: {
      migrationsList: readModelMigrations,
      schema,
      snapshot: false,
      silent: true,
    },
    // The migrations own the one routine (audit_chain); the entities do not describe it.
    schemaGenerator: { ignoreRoutines: true },
    allowGlobalContext: false,
    debug: false,
  });
}

// Any constant shared by every process that migrates; serialises concurrent starts.
const MIGRATION_LOCK = 4_433_001;

/** Applies every pending migration; creates the schema when it does not exist yet. */
export async function migrateReadModel(orm: ReadModelOrm): Promise<void> {
  const schema = orm.config.get('schema') ?? 'public';
  const em = orm.em.fork();
  await em.transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    await tx.execute(`create schema if not exists "${schema}"`);
  });
  const pool = await orm.em.getConnection().getNativeClient();
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await orm.migrator.up();
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

export async function pendingMigrations(orm: ReadModelOrm): Promise<number> {
  return (await orm.migrator.getPending()).length;
}

/** True when PostgreSQL answers a query now (the pool connects lazily, so "connected" says little). */
export async function pingReadModel(orm: ReadModelOrm): Promise<boolean> {
  try {
    await orm.em.fork().execute('select 1');
    return true;
  } catch {
    return false;
  }
}
