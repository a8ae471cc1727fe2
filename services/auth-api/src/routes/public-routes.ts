import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isActive, isWellFormedToken } from '@session-authority/sessions';
import { HttpError } from '../http/error-generic.js';
import type { ForbiddenLimiter } from '../http/forbidden-limiter.js';
import type { RouteDoc } from '../http/openapi.js';
import { logoutBodySchema, sessionSchema } from '../http/schemas.js';
import { sessionView } from '../http/session-view.js';
import type { SessionService } from '../sessions/session-service.js';
import { asUnavailable } from '../http/as-unavailable.js';

export const TOKEN_REJECTED =
  'The provided Session Token could not be found, is invalid, or otherwise malformed.';
export const NO_SESSION = 'No valid session credentials found in the request.';

/** What the catch-all content-type parser yields instead of a body: the media type is not JSON. */
export const NOT_JSON = Symbol('not application/json');

export interface PublicRouteDeps {
  readonly service: SessionService;
  readonly limiter: ForbiddenLimiter;
}

export const publicRouteDocs: RouteDoc[] = [
  {
    method: 'delete',
    path: '/self-service/logout/api',
    operationId: 'performNativeLogout',
    summary: 'Perform Logout for Native Apps: revokes the session of the given token.',
    body: logoutBodySchema,
    responses: {
      204: { description: 'Revoked now, or revoked before.' },
      400: {
        description:
          'No body, not application/json, not a JSON object, or session_token not a string.',
      },
      403: { description: 'The token is missing, malformed, or no session has it.' },
      413: { description: 'The body is larger than the configured limit.' },
      429: { description: 'Too many rejected tokens from this client; see Retry-After.' },
      503: {
        description: 'The log or the read model could not confirm the revocation in time; retry.',
      },
    },
  },
  {
    method: 'get',
    path: '/sessions/whoami',
    operationId: 'toSession',
    summary: 'Check who the current session belongs to.',
    headers: [
      { name: 'X-Session-Token', description: 'The session token.' },
      {
        name: 'Authorization',
        description: '`Bearer <session token>`, when X-Session-Token is absent.',
      },
    ],
    responses: {
      200: { description: 'The session is active.', schema: sessionSchema },
      401: { description: 'No token, or its session is unknown, revoked or expired.' },
      503: { description: 'The read model is unavailable.' },
    },
  },
];

function tokenFromHeaders(request: FastifyRequest): string | undefined {
  const header = request.headers['x-session-token'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export function registerPublicRoutes(app: FastifyInstance, deps: PublicRouteDeps): void {
  app.delete('/self-service/logout/api', async (request, reply) => {
    const client = request.ip;
    const retryAfter = deps.limiter.retryAfterSeconds(client);
    if (retryAfter > 0) {
      throw new HttpError(429, 'Too many rejected session tokens from this client.', {
        'retry-after': String(retryAfter),
      });
    }
    const body: unknown = request.body;
    if (body === undefined || (body === null && request.headers['content-length'] === '0')) {
      throw new HttpError(400, 'The request has no body.');
    }
    if (body === NOT_JSON)
      throw new HttpError(400, 'The request body must be sent as application/json.');
    const parsed = logoutBodySchema.safeParse(body);
    if (!parsed.success) {
      throw new HttpError(
        400,
        'The request body must be a JSON object whose session_token is a string.',
      );
    }
    const token = parsed.data.session_token;
    if (!isWellFormedToken(token)) {
      deps.limiter.recordForbidden(client);
      throw new HttpError(403, TOKEN_REJECTED);
    }
    const outcome = await deps.service.logout(token, request.id).catch(asUnavailable);
    if (outcome === 'unknown-session') {
      deps.limiter.recordForbidden(client);
      throw new HttpError(403, TOKEN_REJECTED);
    }
    return reply.code(204).send();
  });

  app.get('/sessions/whoami', async (request) => {
    const token = tokenFromHeaders(request);
    if (!isWellFormedToken(token)) throw new HttpError(401, NO_SESSION);
    const session = await deps.service.findByToken(token).catch(asUnavailable);
    const now = new Date();
    if (session === null || !isActive(session, now)) throw new HttpError(401, NO_SESSION);
    return sessionView(session, now);
  });
}
