import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localDir } from '@session-authority/local-infra';

/** Where a test's measured figures go: .local/test-figures/<name>.json, not the CI output. */
export function recordFigures(name: string, figures: Record<string, unknown>): void {
  const dir = join(localDir, 'test-figures');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ at, ...figures }, null, 2)}\n`);
}
