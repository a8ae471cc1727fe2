import { changesOf, projectionInputsOf, type SessionChange } from '@session-authority/sessions';
import { SESSION_EVENT_TYPES } from '@session-authority/events';
import type { Projection, SqlContext } from './projection.js';

export const SESSIONS_PROJECTION = 'sessions';

type Row = Record<string, unknown>;

function rowOf(change: SessionChange, partition: number, offset: bigint): Row {
  const position = { log_partition: partition, log_offset: offset.toString() };
  switch (change.kind) {
    case 'revoke': {
      const { sessionId: id, revokedAt, reason } = change;
      return { id, revoked_at: revokedAt.toISOString(), reason, ...position };
    }
    case 'extend':
      return { id: change.sessionId, expires_at: change.expiresAt.toISOString(), ...position };
    case 'create': {
      const s = change.session;
      return {
        id: s.id,
        identity_id: s.identityId,
        token_sha256: s.tokenSha256,
        issued_at: s.issuedAt.toISOString(),
        authenticated_at: s.authenticatedAt.toISOString(),
        expires_at: s.expiresAt.toISOString(),
        authenticator_assurance_level: s.authenticatorAssuranceLevel,
        authentication_methods: s.authenticationMethods,
        devices: s.devices,
        ...position,
      };
    }
  }
}

interface Run {
  readonly create: Row[];
  readonly extend: Row[];
  readonly revoke: Row[];
}

function runStatements(run: Run, sql: SqlContext): string[] {
  const sessions = sql.table('sessions');
  const rows = (list: Row[]) => `jsonb_to_recordset(${sql.literal(JSON.stringify(list))}::jsonb)`;
  const statements: string[] = [];
  const { create: creates, extend: extensions, revoke: revokes } = run;
  if (creates.length > 0) {
    statements.push(`insert into ${sessions} (id, identity_id, token_sha256, issued_at, authenticated_at,
         expires_at, authenticator_assurance_level, authentication_methods, devices, revoked_at, revoke_reason,
         log_partition, log_offset)
       select id, identity_id, token_sha256, issued_at, authenticated_at, expires_at,
         authenticator_assurance_level, authentication_methods, devices, null, null, log_partition, log_offset
       from ${rows(creates)} as x(id uuid, identity_id uuid, token_sha256 text, issued_at timestamptz,
         authenticated_at timestamptz, expires_at timestamptz, authenticator_assurance_level text,
         authentication_methods jsonb, devices jsonb, log_partition int, log_offset bigint)
       on conflict do nothing`);
  }
  if (extensions.length > 0) {
    statements.push(`update ${sessions} s
       set expires_at = x.expires_at, log_partition = x.log_partition, log_offset = x.log_offset
       from ${rows(extensions)} as x(id uuid, expires_at timestamptz, log_partition int, log_offset bigint)
       where s.id = x.id and s.revoked_at is null`);
  }
  if (revokes.length > 0) {
    statements.push(`update ${sessions} s
       set revoked_at = x.revoked_at, revoke_reason = x.reason, log_partition = x.log_partition, log_offset = x.log_offset
       from ${rows(revokes)} as x(id uuid, revoked_at timestamptz, reason text, log_partition int, log_offset bigint)
       where s.id = x.id and s.revoked_at is null`);
  }
  return statements;
}

/**
 * The `sessions` read model. The rule is `changesOf`/`applyChange` of the sessions package; this
 * is its SQL: a create is `on conflict do nothing`, an extension and a revocation
 * `where revoked_at is null`, run by run. A quarantined record revokes its session (reason `quarantined`) by the same rule.
 */
export const sessionsProjection: Projection = {
  name: SESSIONS_PROJECTION,
  handles: SESSION_EVENT_TYPES,
  // The API waits on it before every 201 and 204.
  followed: true,
  statements(batches, sql) {
    // Run k of every partition goes together: sessions of different partitions never meet.
    const runs: Run[] = [];
    for (const batch of batches) {
      changesOf(projectionInputsOf(batch.events, batch.quarantined)).forEach((changes, k) => {
        const run = (runs[k] ??= { create: [], extend: [], revoke: [] });
        for (const { change, item } of changes)
          run[change.kind].push(rowOf(change, batch.partition, item.offset));
      });
    }
    return runs.flatMap((run) => runStatements(run, sql));
  },
};
