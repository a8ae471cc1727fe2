import type { EntityManager } from '@mikro-orm/postgresql';
import type { RevokeReason } from '@session-authority/events';
import type { SessionState } from '@session-authority/sessions';
import { SessionEntity } from './entities.js';

type SessionRow = InstanceType<typeof SessionEntity.class>;

function toState(row: SessionRow): SessionState {
  return {
    id: row.id,
    identityId: row.identityId,
    tokenSha256: row.tokenSha256,
    issuedAt: row.issuedAt,
    authenticatedAt: row.authenticatedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt ?? null,
    revokeReason: (row.revokeReason ?? null) as RevokeReason | null,
  };
}

/** Read-only lookups the API makes; each call takes a fresh fork so no identity map is shared. */
export interface SessionReader {
  findByTokenDigest(tokenSha256: string): Promise<SessionState | null>;
  findById(sessionId: string): Promise<SessionState | null>;
  listByIdentity(identityId: string): Promise<SessionState[]>;
}

export function createSessionReader(em: EntityManager): SessionReader {
  const read = () => em.fork({ clear: true, freshEventManager: true });
  return {
    async findByTokenDigest(tokenSha256) {
      const row = await read().findOne(
        SessionEntity,
        { tokenSha256 },
        { disableIdentityMap: true },
      );
      return row === null ? null : toState(row);
    },
    async findById(sessionId) {
      const row = await read().findOne(
        SessionEntity,
        { id: sessionId },
        { disableIdentityMap: true },
      );
      return row === null ? null : toState(row);
    },
    async listByIdentity(identityId) {
      const rows = await read().find(
        SessionEntity,
        { identityId },
        { orderBy: { issuedAt: 'asc', id: 'asc' }, disableIdentityMap: true },
      );
      return rows.map(toState);
    },
  };
}
