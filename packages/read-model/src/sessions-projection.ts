import { changesOf, type ProjectionInput, type SessionChange } from '@session-authority/sessions';
import { SESSION_ISSUED_V1, SESSION_REVOKED_V1 } from '@session-authority/events';
import type { FreshEvents, Projection, SqlContext } from './projection.js';

export const SESSIONS_PROJECTION = 'sessions';

type Row = Record<string, unknown>;

/** The rule's inputs of one partition, in log order: its events and its quarantined records. */
function inputsOf({ events, quarantined }: FreshEvents): (ProjectionInput & { offset: bigint })[] {
  const quarantines = quarantined.map(({ offset, sessionId, at }) => ({
    offset,
    quarantine: { sessionId, at },
  }));
  return [...events, ...quarantines].sort((a, b) => (a.offset < b.offset ? -1 : 1));
}

function rowOf(change: SessionChange, partition: number, offset: bigint): Row {
  const position = { log_partition: partition, log_offset: offset.toString() };
  if (change.kind === 'revoke') {
    const { sessionId: id, revokedAt, reason } = change;
    return { id, revoked_at: revokedAt.toISOString(), reason, ...position };
  }
  const s = change.session;
  return {
    id: s.id,
    identity_id: s.identityId,
    token_sha256: s.tokenSha256,
    issued_at: s.issuedAt.toISOString(),
    authenticated_at: s.authenticatedAt.toISOString(),
    expires_at: s.expiresAt.toISOString(),
    ...position,
  };
}

function runStatements(creates: Row[], revokes: Row[], sql: SqlContext): string[] {
  const sessions = sql.table('sessions');
  const statements: string[] = [];
  if (creates.length > 0) {
    statements.push(`insert into ${sessions} (id, identity_id, token_sha256, issued_at, authenticated_at,
         expires_at, revoked_at, revoke_reason, log_partition, log_offset)
       select id, identity_id, token_sha256, issued_at, authenticated_at, expires_at, null, null, log_partition, log_offset
       from jsonb_to_recordset(${sql.literal(JSON.stringify(creates))}::jsonb) as x(id uuid, identity_id uuid,
         token_sha256 text, issued_at timestamptz, authenticated_at timestamptz, expires_at timestamptz,
         log_partition int, log_offset bigint)
       on conflict do nothing`);
  }
  if (revokes.length > 0) {
    statements.push(`update ${sessions} s
       set revoked_at = x.revoked_at, revoke_reason = x.reason, log_partition = x.log_partition, log_offset = x.log_offset
       from jsonb_to_recordset(${sql.literal(JSON.stringify(revokes))}::jsonb)
         as x(id uuid, revoked_at timestamptz, reason text, log_partition int, log_offset bigint)
       where s.id = x.id and s.revoked_at is null`);
  }
  return statements;
}

/**
 * The `sessions` read model. The rule is `changesOf`/`applyChange` of the sessions package; this
 * is its SQL: a create is `on conflict do nothing`, a revocation `where revoked_at is null`, run
 * by run. A quarantined record revokes its session (reason `quarantined`) by the same rule.
 */
export const sessionsProjection: Projection = {
  name: SESSIONS_PROJECTION,
  handles: new Set([SESSION_ISSUED_V1, SESSION_REVOKED_V1]),
  statements(batches, sql) {
    // Run k of every partition goes together: sessions of different partitions never meet.
    const runs: { creates: Row[]; revokes: Row[] }[] = [];
    for (const batch of batches) {
      changesOf(inputsOf(batch)).forEach((changes, k) => {
        const run = (runs[k] ??= { creates: [], revokes: [] });
        for (const { change, item } of changes) {
          const row = rowOf(change, batch.partition, item.offset);
          (change.kind === 'create' ? run.creates : run.revokes).push(row);
        }
      });
    }
    return runs.flatMap((run) => runStatements(run.creates, run.revokes, sql));
  },
};
