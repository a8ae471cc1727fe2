import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { isWellFormedToken } from '@session-authority/sessions';
import { HttpError } from '../http/error-generic.js';
import type { ForbiddenLimiter } from '../http/forbidden-limiter.js';
import { withLogPosition } from '../http/log-position.js';
import { linkHeader, pageQuerySchema } from '../http/pagination.js';
import {
  appended,
  errors,
  json,
  logoutBodySchema,
  positionHeader,
  revokedCountSchema,
  sessionIdParamsSchema,
  sessionListSchema,
  sessionSchema,
  tokenHeadersSchema,
} from '../http/schemas.js';
import { sessionView } from '../http/session-view.js';
import type { SessionCommands } from '../sessions/session-commands.js';
import type { SessionQueries } from '../sessions/session-queries.js';
import { authenticateCaller, callerOf } from './caller.js';
import { answerSessionPage } from './session-page.js';
import { DOCS } from './route-docs.js';

export const TOKEN_REJECTED =
  'The provided Session Token could not be found, is invalid, or otherwise malformed.';
export const CURRENT_SESSION = 'cannot revoke current session: use the logout flow instead';
const NO_CALLER = 'No token, or its session is unknown, revoked or expired.';

export interface PublicRouteDeps {
  readonly queries: SessionQueries;
  readonly commands: SessionCommands;
  readonly limiter: ForbiddenLimiter;
}

/** The Kratos-compatible public routes, served under the base path. */
export function registerPublicRoutes(scope: FastifyInstance, deps: PublicRouteDeps): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { queries, commands, limiter } = deps;
  const caller = authenticateCaller(queries);

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
        ? await commands.logout(token, request.id)
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
        ...errors({ 401: NO_CALLER, 503: DOCS.readModelDown }),
      },
    },
    preValidation: caller,
    handler: async (request, reply) => {
      const session = callerOf(request);
      // As Kratos does, so that a gateway can pass the identity on without parsing the body.
      void reply.header('x-kratos-authenticated-identity-id', session.identityId);
      return sessionView(session, new Date());
    },
  });

  app.route({
    method: 'GET',
    url: '/sessions',
    schema: {
      operationId: 'listMySessions',
      summary: "The caller's other active sessions (the current one is whoami's).",
      headers: tokenHeadersSchema,
      querystring: pageQuerySchema,
      response: {
        200: { ...json(DOCS.onePage, sessionListSchema), headers: linkHeader },
        ...errors({
          400: 'page_size or page_token cannot be parsed.',
          401: NO_CALLER,
          503: DOCS.readModelDown,
        }),
      },
    },
    preValidation: caller,
    handler: (request, reply) => {
      const current = callerOf(request);
      const filter = { identityId: current.identityId, active: true, exceptId: current.id };
      return answerSessionPage(queries, request, reply, filter);
    },
  });

  app.route({
    method: 'DELETE',
    url: '/sessions',
    schema: {
      operationId: 'disableMyOtherSessions',
      summary: "Revoke the caller's other sessions; the current one stays.",
      headers: tokenHeadersSchema,
      response: {
        200: {
          ...json('Revoked; every replica sees it.', revokedCountSchema),
          ...positionHeader,
        },
        ...errors({ 401: NO_CALLER, 503: DOCS.notConfirmed }),
      },
    },
    preValidation: caller,
    handler: async (request, reply) => {
      const { outcome, positions } = await commands.revokeOtherSessions(
        callerOf(request),
        request.id,
      );
      return withLogPosition(reply, positions).code(200).send({ count: outcome });
    },
  });

  app.route({
    method: 'DELETE',
    url: '/sessions/:id',
    schema: {
      operationId: 'disableMySession',
      summary: "Revoke one of the caller's other sessions.",
      headers: tokenHeadersSchema,
      params: sessionIdParamsSchema,
      response: {
        204: appended(
          "Revoked now or before, or not the caller's (then nothing changes, as in Kratos).",
        ),
        ...errors({
          400: 'The id is not a UUID, or it is the current session (use logout).',
          401: NO_CALLER,
          503: DOCS.notConfirmed,
        }),
      },
    },
    config: { invalid: { params: DOCS.badSessionId } },
    preValidation: caller,
    handler: async (request, reply) => {
      const current = callerOf(request);
      const { outcome, positions } = await commands.revokeOtherSession(
        current,
        request.params.id,
        request.id,
      );
      if (outcome === 'current-session') throw new HttpError(400, CURRENT_SESSION);
      return withLogPosition(reply, positions).code(204).send();
    },
  });
}
