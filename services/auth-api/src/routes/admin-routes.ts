import type { FastifyInstance } from 'fastify';
import type { Actor } from '@session-authority/events';
import { parseDuration } from '@session-authority/sessions';
import type { z } from 'zod';
import { HttpError } from '../http/error-generic.js';
import type { RouteDoc } from '../http/openapi.js';
import {
  identityIdParamsSchema,
  issueSessionBodySchema,
  issuedSessionSchema,
  sessionIdParamsSchema,
  sessionListSchema,
  sessionSchema,
} from '../http/schemas.js';
import { sessionView } from '../http/session-view.js';
import type { SessionService } from '../sessions/session-service.js';
import { asUnavailable } from '../http/as-unavailable.js';
import { NOT_JSON } from './public-routes.js';

export interface AdminRouteDeps {
  readonly service: SessionService;
  readonly defaultLifespanMs: number;
}

const ADMIN: Actor = { type: 'admin', id: 'admin-api-key' };
const unauthorized = { description: 'Missing or wrong admin key.' };
const unavailable = {
  description: 'The log or the read model could not confirm the change in time; retry.',
};

export const adminRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/admin/identities/{identity_id}/sessions',
    operationId: 'issueSession',
    summary: 'Issue a session for an identity (the login service calls this).',
    params: identityIdParamsSchema,
    body: issueSessionBodySchema,
    responses: {
      201: { description: 'Issued; visible to every replica.', schema: issuedSessionSchema },
      400: { description: 'Invalid identity id or body.' },
      401: unauthorized,
      503: unavailable,
    },
  },
  {
    method: 'get',
    path: '/admin/sessions/{id}',
    operationId: 'getSession',
    summary: 'Read one session.',
    params: sessionIdParamsSchema,
    responses: {
      200: { description: 'The session.', schema: sessionSchema },
      400: { description: 'Invalid id.' },
      401: unauthorized,
      404: { description: 'Unknown session.' },
    },
  },
  {
    method: 'delete',
    path: '/admin/sessions/{id}',
    operationId: 'disableSession',
    summary: 'Revoke one session by id.',
    params: sessionIdParamsSchema,
    responses: {
      204: { description: 'Revoked now, or revoked before.' },
      400: { description: 'Invalid id.' },
      401: unauthorized,
      404: { description: 'Unknown session.' },
      503: unavailable,
    },
  },
  {
    method: 'get',
    path: '/admin/identities/{identity_id}/sessions',
    operationId: 'listIdentitySessions',
    summary: "List an identity's sessions, revoked ones included.",
    params: identityIdParamsSchema,
    responses: {
      200: { description: 'The sessions, oldest first.', schema: sessionListSchema },
      400: { description: 'Invalid id.' },
      401: unauthorized,
    },
  },
  {
    method: 'delete',
    path: '/admin/identities/{identity_id}/sessions',
    operationId: 'deleteIdentitySessions',
    summary: 'Revoke every session of an identity.',
    params: identityIdParamsSchema,
    responses: {
      204: { description: 'Every session is revoked.' },
      400: { description: 'Invalid id.' },
      401: unauthorized,
      404: { description: 'The identity has no sessions.' },
      503: unavailable,
    },
  },
];

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `Invalid ${what}.`);
  return result.data;
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const { service } = deps;

  app.post('/admin/identities/:identity_id/sessions', async (request, reply) => {
    const { identity_id } = parse(
      identityIdParamsSchema,
      request.params,
      'identity id: a UUID is expected',
    );
    if (request.body === NOT_JSON)
      throw new HttpError(400, 'The request body must be sent as application/json.');
    const body = parse(
      issueSessionBodySchema,
      request.body ?? {},
      'body: expires_in must be a duration such as 24h',
    );
    const lifespanMs =
      body.expires_in === undefined ? deps.defaultLifespanMs : parseDuration(body.expires_in);
    if (lifespanMs === undefined)
      throw new HttpError(400, 'Invalid body: expires_in must be a positive duration.');
    const issued = await service
      .issue(identity_id, lifespanMs, ADMIN, request.id)
      .catch(asUnavailable);
    return reply
      .code(201)
      .send({ session: sessionView(issued.session, new Date()), session_token: issued.token });
  });

  app.get('/admin/sessions/:id', async (request) => {
    const { id } = parse(sessionIdParamsSchema, request.params, 'session id: a UUID is expected');
    const session = await service.findById(id).catch(asUnavailable);
    if (session === null) throw new HttpError(404, 'No session has this id.');
    return sessionView(session, new Date());
  });

  app.delete('/admin/sessions/:id', async (request, reply) => {
    const { id } = parse(sessionIdParamsSchema, request.params, 'session id: a UUID is expected');
    const outcome = await service.revokeById(id, ADMIN, request.id).catch(asUnavailable);
    if (outcome === 'unknown-session') throw new HttpError(404, 'No session has this id.');
    return reply.code(204).send();
  });

  app.get('/admin/identities/:identity_id/sessions', async (request) => {
    const { identity_id } = parse(
      identityIdParamsSchema,
      request.params,
      'identity id: a UUID is expected',
    );
    const now = new Date();
    const sessions = await service.listByIdentity(identity_id).catch(asUnavailable);
    return sessions.map((session) => sessionView(session, now));
  });

  app.delete('/admin/identities/:identity_id/sessions', async (request, reply) => {
    const { identity_id } = parse(
      identityIdParamsSchema,
      request.params,
      'identity id: a UUID is expected',
    );
    const outcome = await service
      .revokeIdentity(identity_id, ADMIN, request.id)
      .catch(asUnavailable);
    if (outcome === 'unknown-session') throw new HttpError(404, 'This identity has no sessions.');
    return reply.code(204).send();
  });
}
