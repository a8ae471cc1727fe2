import { mkdirSync, writeFileSync } from 'node:fs';
import { exportJsonSchemas } from './json-schema.js';
import { sessionEventRegistry } from './session-events.js';

const outDir = new URL('../json-schema/', import.meta.url);
mkdirSync(outDir, { recursive: true });
for (const [type, schema] of Object.entries(exportJsonSchemas(sessionEventRegistry))) {
  writeFileSync(new URL(`${type}.json`, outDir), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote json-schema/${type}.json`);
}
