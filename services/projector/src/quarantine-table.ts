import type { QuarantinedRow } from '@session-authority/read-model';
import { textTable } from './text-table.js';

export function quarantineTable(rows: readonly QuarantinedRow[]): string {
  const header = ['quarantined at', 'topic', 'partition:offset', 'session', 'type', 'problem'];
  return textTable(
    header,
    rows.map((r) => [
      r.quarantinedAt.toISOString(),
      r.topic,
      `${r.partition}:${r.offset}`,
      r.sessionId,
      r.type ?? '-',
      r.problem,
    ]),
  );
}
