import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root, from infra/local/dist/<file>.js or infra/local/src/<file>.ts. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Ignored folder for downloaded jars, broker data, embedded PostgreSQL data and logs. */
export const localDir = join(repoRoot, '.local');
