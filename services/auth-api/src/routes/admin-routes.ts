import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Actor } from '@session-authority/events';
import { formatDuration, parseDuration } from '@session-authority/sessions';
import { HttpError } from '../http/error-generic.js';
import { withLogPosition } from '../http/log-position.js';
import {
  appended,
  errors,
  identityIdParamsSchema,
  issueSessionBodySchema,
  issuedSessionSchema,
  json,
  positionHeader,
  sessionIdParamsSchema,
  sessionListSchema,
  sessionSchema,
} from '../http/schemas.js';
import { sessionView } from '../http/session-view.js';
import type { SessionService } from '../sessions/session-service.js';

export interface AdminRouteDeps {
  readonly service: SessionService;
  readonly defaultLifespanMs: number;
  readonly maxLifespanMs: number;
}

const ADMIN: Actor = { type: 'admin', id: 'admin-api-key' };
const UNAUTHORIZED = 'Missing or wrong admin key.';
const UNAVAILABLE = 'The log or the read model could not confirm the change in time; retry.';
const BAD_SESSION_ID = { params: 'Invalid session id: a UUID is expected.' };
const BAD_IDENTITY_ID = { params: 'Invalid identity id: a UUID is expected.' };

/** A revocation answers 204 whether it revoked now or before; unknown is 404. */
const revocationResponses = (revoked: string, unknown: string) => ({
  204: appended(revoked),
  ...errors({ 400: 'Invalid id.', 401: UNAUTHORIZED, 404: unknown, 503: UNAVAILABLE }),
});

export function registerAdminRoutes(scope: FastifyInstance, deps: AdminRouteDeps): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { service } = deps;
  const maxLifespan = formatDuration(deps.maxLifespanMs);

  app.route({
    method: 'POST',
    url: '/admin/identities/:identity_id/sessions',
    schema: {
      operationId: 'issueSession',
      summary: 'Issue a session for an identity (the login service calls this).',
      params: identityIdParamsSchema,
      body: issueSessionBodySchema.nullish(),
      response: {
        201: {
          ...json('Issued; visible to every replica.', issuedSessionSchema),
          ...positionHeader,
        },
        ...errors({
          400: 'Invalid identity id or body.',
          401: UNAUTHORIZED,
          503: UNAVAILABLE,
        }),
      },
    },
    config: {
      invalid: {
        ...BAD_IDENTITY_ID,
        body: 'Invalid body: expires_in must be a duration such as 24h.',
      },
    },
    handler: async (request, reply) => {
      const expiresIn = request.body?.expires_in;
      const lifespanMs =
        expiresIn === undefined ? deps.defaultLifespanMs : parseDuration(expiresIn);
      if (lifespanMs === undefined)
        throw new HttpError(400, 'Invalid body: expires_in must be a positive duration.');
      if (lifespanMs > deps.maxLifespanMs)
        throw new HttpError(400, `Invalid body: expires_in must be at most ${maxLifespan}.`);
      const issued = await service.issue(request.params.identity_id, lifespanMs, ADMIN, request.id);
      return withLogPosition(reply, issued.positions)
        .code(201)
        .send({ session: sessionView(issued.session, new Date()), session_token: issued.token });
    },
  });

  app.route({
    method: 'GET',
    url: '/admin/sessions/:id',
    schema: {
      operationId: 'getSession',
      summary: 'Read one session.',
      params: sessionIdParamsSchema,
      response: {
        200: json('The session.', sessionSchema),
        ...errors({ 400: 'Invalid id.', 401: UNAUTHORIZED, 404: 'Unknown session.' }),
      },
    },
    config: { invalid: BAD_SESSION_ID },
    handler: async (request) => sessionView(await service.getById(request.params.id), new Date()),
  });

  app.route({
    method: 'DELETE',
    url: '/admin/sessions/:id',
    schema: {
      operationId: 'disableSession',
      summary: 'Revoke one session by id.',
      params: sessionIdParamsSchema,
      response: revocationResponses('Revoked now, or revoked before.', 'Unknown session.'),
    },
    config: { invalid: BAD_SESSION_ID },
    handler: async (request, reply) => {
      const { positions } = await service.revokeById(request.params.id, ADMIN, request.id);
      return withLogPosition(reply, positions).code(204).send();
    },
  });

  app.route({
    method: 'GET',
    url: '/admin/identities/:identity_id/sessions',
    schema: {
      operationId: 'listIdentitySessions',
      summary: "List an identity's sessions, revoked ones included.",
      params: identityIdParamsSchema,
      response: {
        200: json('The sessions, oldest first.', sessionListSchema),
        ...errors({ 400: 'Invalid id.', 401: UNAUTHORIZED }),
      },
    },
    config: { invalid: BAD_IDENTITY_ID },
    handler: async (request) => {
      const now = new Date();
      const sessions = await service.listByIdentity(request.params.identity_id);
      return sessions.map((session) => sessionView(session, now));
    },
  });

  app.route({
    method: 'DELETE',
    url: '/admin/identities/:identity_id/sessions',
    schema: {
      operationId: 'deleteIdentitySessions',
      summary: 'Revoke every session of an identity.',
      params: identityIdParamsSchema,
      response: revocationResponses('Every session is revoked.', 'The identity has no sessions.'),
    },
    config: { invalid: BAD_IDENTITY_ID },
    handler: async (request, reply) => {
      const revoked = await service.revokeIdentity(request.params.identity_id, ADMIN, request.id);
      return withLogPosition(reply, revoked.positions).code(204).send();
    },
  });
}
