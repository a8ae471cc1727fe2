import { changesOf } from '@session-authority/sessions';
import { SESSION_ISSUED_V1, SESSION_REVOKED_V1 } from '@session-authority/events';
import type { Projection } from './projection.js';

export const SESSIONS_PROJECTION = 'sessions';

/**
 * The `sessions` read model. The rule is `changesOf`/`applyChange` of the sessions package; this
 * is its SQL: a create is `on conflict do nothing`, a revocation `where revoked_at is null`.
 */
export const sessionsProjection: Projection = {
  name: SESSIONS_PROJECTION,
  handles: new Set([SESSION_ISSUED_V1, SESSION_REVOKED_V1]),
  statements(batches, sql) {
    const creates: Record<string, unknown>[] = [];
    const revokes: Record<string, unknown>[] = [];
    for (const { partition, events } of batches) {
      for (const { change, item } of changesOf(events)) {
        const position = { log_partition: partition, log_offset: item.offset.toString() };
        if (change.kind === 'create') {
          const s = change.session;
          creates.push({
            id: s.id,
            identity_id: s.identityId,
            token_sha256: s.tokenSha256,
            issued_at: s.issuedAt.toISOString(),
            authenticated_at: s.authenticatedAt.toISOString(),
            expires_at: s.expiresAt.toISOString(),
            ...position,
          });
        } else {
          revokes.push({
            id: change.sessionId,
            revoked_at: change.revokedAt.toISOString(),
            reason: change.reason,
            ...position,
          });
        }
      }
    }
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
  },
};
