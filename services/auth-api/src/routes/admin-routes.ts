import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Actor } from '@session-authority/events';
import { formatDuration, parseDuration } from '@session-authority/sessions';
import { HttpError } from '../http/error-generic.js';
import { withLogPosition } from '../http/log-position.js';
import { activeFilter, filteredPageQuerySchema, linkHeader } from '../http/pagination.js';
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
import type { SessionCommands } from '../sessions/session-commands.js';
import type { SessionQueries } from '../sessions/session-queries.js';
import { answerSessionPage, withActive } from './session-page.js';
import { DOCS } from './route-docs.js';

export interface AdminRouteDeps {
  readonly queries: SessionQueries;
  readonly commands: SessionCommands;
  readonly defaultLifespanMs: number;
  readonly maxLifespanMs: number;
  readonly earliestPossibleExtendMs: number | undefined;
}

const ADMIN: Actor = { type: 'admin', id: 'admin-api-key' };
const BAD_SESSION_ID = { params: DOCS.badSessionId };
const BAD_IDENTITY_ID = { params: 'Invalid identity id: a UUID is expected.' };
const BAD_PAGE = 'page_size, page_token or active cannot be parsed.';

/** A revocation answers 204 whether it revoked now or before; unknown is 404. */
const revocationResponses = (revoked: string, unknown: string) => ({
  204: appended(revoked),
  ...errors({ 400: 'Invalid id.', 401: DOCS.unauthorized, 404: unknown, 503: DOCS.notConfirmed }),
});

export function registerAdminRoutes(scope: FastifyInstance, deps: AdminRouteDeps): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { queries, commands } = deps;
  const extendPolicy = {
    lifespanMs: deps.defaultLifespanMs,
    earliestPossibleExtendMs: deps.earliestPossibleExtendMs,
  };
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
          401: DOCS.unauthorized,
          503: DOCS.notConfirmed,
        }),
      },
    },
    config: {
      invalid: {
        ...BAD_IDENTITY_ID,
        body: 'Invalid body: expires_in must be a duration such as 24h; authenticator_assurance_level one of aal0 to aal3; authentication_methods and devices lists of at most 16 as documented.',
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
      const body = request.body ?? {};
      const issued = await commands.issue(
        request.params.identity_id,
        lifespanMs,
        ADMIN,
        request.id,
        {
          ...(body.authenticator_assurance_level === undefined
            ? {}
            : { authenticatorAssuranceLevel: body.authenticator_assurance_level }),
          authenticationMethods: body.authentication_methods ?? [],
          devices: (body.devices ?? []).map((device) => ({ ...device, id: randomUUID() })),
        },
      );
      return withLogPosition(reply, issued.positions)
        .code(201)
        .send({ session: sessionView(issued.session, new Date()), session_token: issued.token });
    },
  });

  app.route({
    method: 'GET',
    url: '/admin/sessions',
    schema: {
      operationId: 'listSessions',
      summary: 'Every session, revoked ones included unless `active` says otherwise.',
      querystring: filteredPageQuerySchema,
      response: {
        200: { ...json(DOCS.onePage, sessionListSchema), headers: linkHeader },
        ...errors({ 400: BAD_PAGE, 401: DOCS.unauthorized, 503: DOCS.readModelDown }),
      },
    },
    handler: (request, reply) =>
      answerSessionPage(queries, request, reply, withActive(activeFilter(request.query))),
  });

  app.route({
    method: 'PATCH',
    url: '/admin/sessions/:id/extend',
    schema: {
      operationId: 'extendSession',
      summary:
        'Extend a session to now + SESSION_DEFAULT_LIFESPAN, once at most SESSION_EARLIEST_POSSIBLE_EXTEND of it is left.',
      params: sessionIdParamsSchema,
      response: {
        200: {
          ...json(
            'The session: extended (visible to every replica), or as it was when it is revoked or has more life left than earliest_possible_extend.',
            sessionSchema,
          ),
          ...positionHeader,
        },
        ...errors({
          400: 'Invalid id.',
          401: DOCS.unauthorized,
          404: DOCS.unknownSession,
          503: DOCS.notConfirmed,
        }),
      },
    },
    config: { invalid: BAD_SESSION_ID },
    handler: async (request, reply) => {
      const extended = await commands.extend(request.params.id, extendPolicy, ADMIN, request.id);
      return withLogPosition(reply, extended.positions)
        .code(200)
        .send(sessionView(extended.session, new Date()));
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
        ...errors({
          400: 'Invalid id.',
          401: DOCS.unauthorized,
          404: DOCS.unknownSession,
          503: DOCS.readModelDown,
        }),
      },
    },
    config: { invalid: BAD_SESSION_ID },
    handler: async (request) => sessionView(await queries.getById(request.params.id), new Date()),
  });

  app.route({
    method: 'DELETE',
    url: '/admin/sessions/:id',
    schema: {
      operationId: 'disableSession',
      summary: 'Revoke one session by id.',
      params: sessionIdParamsSchema,
      response: revocationResponses('Revoked now, or revoked before.', DOCS.unknownSession),
    },
    config: { invalid: BAD_SESSION_ID },
    handler: async (request, reply) => {
      const { positions } = await commands.revokeById(request.params.id, ADMIN, request.id);
      return withLogPosition(reply, positions).code(204).send();
    },
  });

  app.route({
    method: 'GET',
    url: '/admin/identities/:identity_id/sessions',
    schema: {
      operationId: 'listIdentitySessions',
      summary: "An identity's sessions, revoked ones included unless `active` says otherwise.",
      params: identityIdParamsSchema,
      querystring: filteredPageQuerySchema,
      response: {
        200: { ...json(DOCS.onePage, sessionListSchema), headers: linkHeader },
        ...errors({
          400: `Invalid id, or ${BAD_PAGE}`,
          401: DOCS.unauthorized,
          503: DOCS.readModelDown,
        }),
      },
    },
    config: { invalid: BAD_IDENTITY_ID },
    handler: (request, reply) =>
      answerSessionPage(queries, request, reply, {
        identityId: request.params.identity_id,
        ...withActive(activeFilter(request.query)),
      }),
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
      const revoked = await commands.revokeIdentity(request.params.identity_id, ADMIN, request.id);
      return withLogPosition(reply, revoked.positions).code(204).send();
    },
  });
}
