import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { isActive, isWellFormedToken } from '@session-authority/sessions';
import { HttpError } from '../http/error-generic.js';
import type { ForbiddenLimiter } from '../http/forbidden-limiter.js';
import { withLogPosition } from '../http/log-position.js';
import {
  appended,
  errors,
  json,
  logoutBodySchema,
  sessionSchema,
  tokenHeadersSchema,
} from '../http/schemas.js';
import { sessionView } from '../http/session-view.js';
import type { SessionService } from '../sessions/session-service.js';

export const TOKEN_REJECTED =
  'The provided Session Token could not be found, is invalid, or otherwise malformed.';
export const NO_SESSION = 'No valid session credentials found in the request.';

export interface PublicRouteDeps {
  readonly service: SessionService;
  readonly limiter: ForbiddenLimiter;
}

function tokenFromHeaders(request: FastifyRequest): string | undefined {
  const header = request.headers['x-session-token'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/** The Kratos-compatible public routes, served under the base path. */
export function registerPublicRoutes(scope: FastifyInstance, deps: PublicRouteDeps): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { service, limiter } = deps;

  app.route({
    method: 'DELETE',
    url: '/self-service/logout/api',
    schema: {
      operationId: 'performNativeLogout',
      summary: 'Perform Logout for Native Apps: revokes the session of the given token.',
      body: logoutBodySchema,
      response: {
        204: appended('Revoked now, or revoked before (then without Session-Log-Position).'),
        ...errors({
          400: 'No body, not application/json, not a JSON object, or session_token not a string.',
          403: 'The token is missing, malformed, or no session has it.',
          413: 'The body is larger than the configured limit.',
          429: 'Too many rejected tokens from this client; see Retry-After.',
          503: 'The log or the read model could not confirm the revocation in time; retry.',
        }),
      },
    },
    config: {
      invalid: { body: 'The request body must be a JSON object whose session_token is a string.' },
    },
    // Before the body is read: a client past the 403 limit learns nothing more.
    onRequest: (request, _reply, done) => {
      const retryAfter = limiter.retryAfterSeconds(request.ip);
      const headers = { 'retry-after': String(retryAfter) };
      const tooMany = new HttpError(
        429,
        'Too many rejected session tokens from this client.',
        headers,
      );
      done(retryAfter > 0 ? tooMany : undefined);
    },
    preValidation: (request, _reply, done) => {
      const body: unknown = request.body;
      const empty = body === null && request.headers['content-length'] === '0';
      done(
        body === undefined || empty ? new HttpError(400, 'The request has no body.') : undefined,
      );
    },
    handler: async (request, reply) => {
      const token = request.body.session_token;
      const { outcome, positions } = isWellFormedToken(token)
        ? await service.logout(token, request.id)
        : { outcome: 'unknown-session' as const, positions: [] };
      if (outcome === 'unknown-session') {
        limiter.recordForbidden(request.ip);
        throw new HttpError(403, TOKEN_REJECTED);
      }
      return withLogPosition(reply, positions).code(204).send();
    },
  });

  app.route({
    method: 'GET',
    url: '/sessions/whoami',
    schema: {
      operationId: 'toSession',
      summary: 'Check who the current session belongs to.',
      headers: tokenHeadersSchema,
      response: {
        200: {
          ...json('The session is active.', sessionSchema),
          headers: {
            'X-Kratos-Authenticated-Identity-Id': {
              type: 'string',
              format: 'uuid',
              description: "The session's identity.",
            },
          },
        },
        ...errors({
          401: 'No token, or its session is unknown, revoked or expired.',
          503: 'The read model is unavailable.',
        }),
      },
    },
    handler: async (request, reply) => {
      const token = tokenFromHeaders(request);
      if (!isWellFormedToken(token)) throw new HttpError(401, NO_SESSION);
      const session = await service.findByToken(token);
      const now = new Date();
      if (session === null || !isActive(session, now)) throw new HttpError(401, NO_SESSION);
      // As Kratos does, so that a gateway can pass the identity on without parsing the body.
      void reply.header('x-kratos-authenticated-identity-id', session.identityId);
      return sessionView(session, now);
    },
  });
}
