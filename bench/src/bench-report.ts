import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@session-authority/local-infra';
import { benchResultSchema } from './bench-result.js';
import {
  BENCHMARKS_DOC,
  LATEST_FULL_RUN,
  renderRunSection,
  withRunSection,
} from './docs-section.js';

// npm run bench:report [-- RESULT.json]: takes a full run (by default the last one npm run bench
// wrote) as the repository's latest, and renders its tables into docs/benchmarks.md.
const source = process.argv[2] ?? join(repoRoot, '.local/bench/latest.json');
const result = benchResultSchema.parse(JSON.parse(readFileSync(source, 'utf8')));
if (result.mode !== 'full') {
  console.error(`${source} is a ${result.mode} run; only a full run goes into the docs`);
  process.exit(2);
}
copyFileSync(source, join(repoRoot, LATEST_FULL_RUN));
const docPath = join(repoRoot, BENCHMARKS_DOC);
const doc = readFileSync(docPath, 'utf8');
writeFileSync(docPath, withRunSection(doc, await renderRunSection(result)));
console.log(`${BENCHMARKS_DOC}: the run of ${result.startedAt}`);
