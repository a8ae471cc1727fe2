import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  AuthenticationMethod,
  AuthenticatorAssuranceLevel,
  Device,
} from '@session-authority/events';
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
  authenticator_assurance_level: string;
  authentication_methods: AuthenticationMethod[];
  devices: Device[];
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
    authenticatorAssuranceLevel: row.authenticator_assurance_level as AuthenticatorAssuranceLevel,
    authenticationMethods: row.authentication_methods,
    devices: row.devices,
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    revokeReason: row.revoke_reason as SessionRevokeReason | null,
  };
}

/** One keyset page of sessions in id order: never OFFSET, so every page costs the same. */
export interface SessionPageQuery {
  readonly identityId?: string;
  /** true: neither revoked nor expired at `now`; false: revoked or expired; absent: all. */
  readonly active?: boolean;
  readonly now: Date;
  readonly exceptId?: string;
  /** The last id of the page before; the page starts after it. */
  readonly after?: string;
  readonly limit: number;
}

/** Read-only lookups the API makes. */
export interface SessionReader {
  findByTokenDigest(tokenSha256: string): Promise<SessionState | null>;
  findById(sessionId: string): Promise<SessionState | null>;
  listByIdentity(identityId: string): Promise<SessionState[]>;
  listPage(query: SessionPageQuery): Promise<SessionState[]>;
}

const COLUMNS = `id, identity_id, token_sha256, issued_at, authenticated_at, expires_at,
  authenticator_assurance_level, authentication_methods, devices, revoked_at, revoke_reason`;

/** The statement of one shape of page query; its name tells the shape, so each is prepared once. */
export function pageStatement(
  table: string,
  query: SessionPageQuery,
): { name: string; text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const shape: string[] = [];
  const add = (name: string, condition: (param: string) => string, value: unknown) => {
    values.push(value);
    where.push(condition(`$${values.length}`));
    shape.push(name);
  };
  if (query.identityId !== undefined)
    add('identity', (p) => `identity_id = ${p}`, query.identityId);
  if (query.after !== undefined) add('after', (p) => `id > ${p}`, query.after);
  if (query.exceptId !== undefined) add('except', (p) => `id <> ${p}`, query.exceptId);
  if (query.active === true)
    add('active', (p) => `revoked_at is null and expires_at > ${p}`, query.now.toISOString());
  if (query.active === false)
    add(
      'inactive',
      (p) => `(revoked_at is not null or expires_at <= ${p})`,
      query.now.toISOString(),
    );
  values.push(query.limit);
  const filter = where.length === 0 ? '' : `where ${where.join(' and ')}`;
  return {
    name: `sessions-page:${shape.join('+')}`,
    text: `select ${COLUMNS} from ${table} ${filter} order by id limit $${values.length}`,
    values,
  };
}

/**
 * Named prepared statements on the ORM's own pg pool: the profile showed entity hydration and
 * per-query planning as the API's largest CPU cost on the request path.
 */
export function createSessionReader(em: EntityManager, schema = 'public'): SessionReader {
  const table = qualified(schema, 'sessions');
  let pool: Promise<pg.Pool> | undefined;
  const native = () => (pool ??= em.getConnection().getNativeClient());
  const run = async (statement: { name: string; text: string; values: unknown[] }) => {
    const result = await (
      await native()
    ).query<SessionRow>({ ...statement, name: `${statement.name}:${schema}` });
    return result.rows.map(toState);
  };
  const query = (name: string, where: string, value: string) =>
    run({
      name,
      text: `select ${COLUMNS} from ${table} where ${where} = $1 order by issued_at, id`,
      values: [value],
    });
  const one = async (name: string, where: string, value: string) =>
    (await query(name, where, value))[0] ?? null;
  return {
    findByTokenDigest: (tokenSha256) => one('session-by-digest', 'token_sha256', tokenSha256),
    findById: (sessionId) => one('session-by-id', 'id', sessionId),
    listByIdentity: (identityId) => query('sessions-of-identity', 'identity_id', identityId),
    listPage: (page) => run(pageStatement(table, page)),
  };
}
