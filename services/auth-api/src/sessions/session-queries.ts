import type { SessionPageQuery, SessionReader } from '@session-authority/read-model';
import { tokenDigest, type SessionState } from '@session-authority/sessions';
import { NotFoundError, readOrUnavailable, REASONS } from './service-errors.js';

/** The read side: every failure of the read model is an UnavailableError (retry). */
export class SessionQueries {
  constructor(private readonly reader: SessionReader) {}

  findByToken(token: string): Promise<SessionState | null> {
    return readOrUnavailable(() => this.reader.findByTokenDigest(tokenDigest(token)));
  }

  findById(sessionId: string): Promise<SessionState | null> {
    return readOrUnavailable(() => this.reader.findById(sessionId));
  }

  async getById(sessionId: string): Promise<SessionState> {
    const session = await this.findById(sessionId);
    if (session === null) throw new NotFoundError(REASONS.noSuchSession);
    return session;
  }

  listByIdentity(identityId: string): Promise<SessionState[]> {
    return readOrUnavailable(() => this.reader.listByIdentity(identityId));
  }

  listPage(query: SessionPageQuery): Promise<SessionState[]> {
    return readOrUnavailable(() => this.reader.listPage(query));
  }
}
