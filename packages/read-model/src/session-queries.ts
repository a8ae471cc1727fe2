import type { EntityManager } from '@mikro-orm/postgresql';
import type { SessionRevokeReason, SessionState } from '@session-authority/sessions';
import type pg from 'pg';
import { qualified } from './sql.js';

// The ORM's pool may hand timestamps over as strings or as Dates; new Date() takes either.
type Timestamp = Date | string;

interface SessionRow {
  id: string;
  identity_id: string;
  token_sha256: string;
  issued_at: Timestamp;
  authenticated_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoke_reason: string | null;
}

function toState(row: SessionRow): SessionState {
  return {
    id: row.id,
    identityId: row.identity_id,
    tokenSha256: row.token_sha256,
    issuedAt: new Date(row.issued_at),
    authenticatedAt: new Date(row.authenticated_at),
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    revokeReason: row.revoke_reason as SessionRevokeReason | null,
  };
}

/** Read-only lookups the API makes. */
export interface SessionReader {
  findByTokenDigest(tokenSha256: string): Promise<SessionState | null>;
  findById(sessionId: string): Promise<SessionState | null>;
  listByIdentity(identityId: string): Promise<SessionState[]>;
}

const COLUMNS =
  'id, identity_id, token_sha256, issued_at, authenticated_at, expires_at, revoked_at, revoke_reason';

/**
 * Named prepared statements on the ORM's own pg pool: the profile showed entity hydration and
 * per-query planning as the API's largest CPU cost on the request path.
 */
export function createSessionReader(em: EntityManager, schema = 'public'): SessionReader {
  const table = qualified(schema, 'sessions');
  let pool: Promise<pg.Pool> | undefined;
  const native = () => (pool ??= em.getConnection().getNativeClient());
  const query = async (name: string, where: string, value: string) => {
    const result = await (
      await native()
    ).query<SessionRow>({
      name: `${name}:${schema}`,
      text: `select ${COLUMNS} from ${table} where ${where} = $1 order by issued_at, id`,
      values: [value],
    });
    return result.rows.map(toState);
  };
  const one = async (name: string, where: string, value: string) =>
    (await query(name, where, value))[0] ?? null;
  return {
    findByTokenDigest: (tokenSha256) => one('session-by-digest', 'token_sha256', tokenSha256),
    findById: (sessionId) => one('session-by-id', 'id', sessionId),
    listByIdentity: (identityId) => query('sessions-of-identity', 'identity_id', identityId),
  };
}
