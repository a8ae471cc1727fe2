import { z } from 'zod';
import type { EventRegistry } from './registry.js';

/** JSON Schema (draft 2020-12) of every event version, keyed by type, for consumers in other languages. */
export function exportJsonSchemas(registry: EventRegistry): Record<string, unknown> {
  return Object.fromEntries(
    registry.versions.map((version) => [
      version.type,
      { $id: `urn:session-authority:event:${version.type}`, ...z.toJSONSchema(version.schema) },
    ]),
  );
}
