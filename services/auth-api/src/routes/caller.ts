import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { isActive, isWellFormedToken, type SessionState } from '@session-authority/sessions';
import { HttpError } from '../http/error-generic.js';
import type { SessionQueries } from '../sessions/session-queries.js';

export const NO_SESSION = 'No valid session credentials found in the request.';

const callers = new WeakMap<FastifyRequest, SessionState>();

/** The session token as whoami takes it: X-Session-Token, else `Authorization: Bearer`. */
export function tokenFromHeaders(request: FastifyRequest): string | undefined {
  const header = request.headers['x-session-token'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/**
 * Authenticates the caller by its session token before the request is validated, so that, as in
 * Kratos, a request without an active session is 401 whatever else is wrong with it.
 */
export function authenticateCaller(queries: SessionQueries): preValidationAsyncHookHandler {
  return async (request) => {
    const token = tokenFromHeaders(request);
    if (!isWellFormedToken(token)) throw new HttpError(401, NO_SESSION);
    const session = await queries.findByToken(token);
    if (session === null || !isActive(session, new Date())) throw new HttpError(401, NO_SESSION);
    callers.set(request, session);
  };
}

/** The caller's active session; only on routes that run authenticateCaller. */
export function callerOf(request: FastifyRequest): SessionState {
  const session = callers.get(request);
  if (session === undefined) throw new Error(`${request.url} does not authenticate its caller`);
  return session;
}
