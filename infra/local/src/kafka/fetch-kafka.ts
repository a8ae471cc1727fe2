import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localDir, repoRoot } from '../paths.js';
import { commandExists, run } from '../process-tools.js';

const pomPath = join(repoRoot, 'infra', 'kafka', 'pom.xml');

export class MissingToolError extends Error {}

/** The jars of the pinned broker, fetched from Maven Central with `mvn` once and cached under .local. */
export async function fetchKafka(log: (line: string) => void = () => undefined): Promise<string> {
  const pom = readFileSync(pomPath);
  const pin = createHash('sha256').update(pom).digest('hex').slice(0, 12);
  const libsDir = join(localDir, 'kafka', `libs-${pin}`);
  const marker = join(libsDir, '.complete');
  if (existsSync(marker)) return libsDir;

  for (const [tool, flag] of [
    ['java', '-version'],
    ['mvn', '-v'],
  ] as const) {
    if (!(await commandExists(tool, flag))) {
      throw new MissingToolError(
        `the local Kafka broker needs Java 17+ and Maven on PATH (\`${tool}\` not found); ` +
          'install them, or set KAFKA_BROKERS to an existing cluster',
      );
    }
  }
  log(`fetching the Kafka broker from Maven Central into ${libsDir}`);
  rmSync(libsDir, { recursive: true, force: true });
  mkdirSync(libsDir, { recursive: true });
  await run('mvn', [
    '-B',
    '-q',
    '-f',
    pomPath,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${libsDir}`,
  ]);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return libsDir;
}
