import type { RuledFields } from '@session-authority/sessions';

/** What verification compares of a session: what whoami and logout depend on. */
export interface SessionFacts {
  readonly id: string;
  readonly revokedAt: Date | null;
  readonly revokeReason: string | null;
  readonly expiresAt: Date;
}

export interface SessionDifference {
  readonly sessionId: string;
  readonly kind: 'missing' | 'orphan' | 'differs';
  readonly detail: string;
}

const shown = (value: Date | string | null) =>
  value instanceof Date ? value.toISOString() : (value ?? 'none');

const same = (a: Date | string | null, b: Date | string | null) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/** Every difference between the read model's sessions and the fold of the log. */
export function sessionDifferences(
  folded: ReadonlyMap<string, RuledFields>,
  stored: readonly SessionFacts[],
): SessionDifference[] {
  const differences: SessionDifference[] = [];
  const seen = new Set<string>();
  for (const row of stored) {
    seen.add(row.id);
    const want = folded.get(row.id);
    if (want === undefined) {
      differences.push({
        sessionId: row.id,
        kind: 'orphan',
        detail: 'no record of the log made it',
      });
      continue;
    }
    // Compared as instants; written out only when they differ (a million sessions per verify).
    const fields: [string, Date | string | null, Date | string | null][] = [
      ['revoked_at', row.revokedAt, want.revokedAt],
      ['revoke_reason', row.revokeReason, want.revokeReason],
      ['expires_at', row.expiresAt, want.expiresAt],
    ];
    for (const [name, got, expected] of fields) {
      if (!same(got, expected))
        differences.push({
          sessionId: row.id,
          kind: 'differs',
          detail: `${name} is ${shown(got)}; the log says ${shown(expected)}`,
        });
    }
  }
  for (const id of folded.keys()) {
    if (!seen.has(id))
      differences.push({
        sessionId: id,
        kind: 'missing',
        detail: 'the log has it; the read model does not',
      });
  }
  return differences;
}
