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

const iso = (date: Date | null) => date?.toISOString() ?? 'none';

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
    const fields: [string, string, string][] = [
      ['revoked_at', iso(row.revokedAt), iso(want.revokedAt)],
      ['revoke_reason', row.revokeReason ?? 'none', want.revokeReason ?? 'none'],
      ['expires_at', iso(row.expiresAt), iso(want.expiresAt)],
    ];
    for (const [name, got, expected] of fields) {
      if (got !== expected)
        differences.push({
          sessionId: row.id,
          kind: 'differs',
          detail: `${name} is ${got}; the log says ${expected}`,
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
