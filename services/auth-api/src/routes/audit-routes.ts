import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  decodeAuditPageToken,
  encodeAuditPageToken,
  type AuditEvent,
  type AuditQuery,
  type AuditReader,
} from '@session-authority/read-model';
import { z } from 'zod';
import { HttpError } from '../http/error-generic.js';
import { linkHeader, pageQuerySchema, pageRequest, sendPage } from '../http/pagination.js';
import { errors, json } from '../http/schemas.js';
import { readOrUnavailable } from '../sessions/service-errors.js';
import { DOCS } from './route-docs.js';

const FILTERS = {
  session_id: 'session',
  identity_id: 'identity',
  request_id: 'request',
  actor_id: 'actor',
} as const satisfies Record<string, AuditQuery['by']>;

const filter = (description: string) => z.string().min(1).max(255).optional().meta({ description });
const time = (description: string) =>
  z.iso.datetime({ offset: true }).optional().meta({ description });

const auditQuerySchema = pageQuerySchema.extend({
  session_id: filter('The records of this session.'),
  identity_id: filter("The records of this identity's sessions."),
  request_id: filter('The records one request appended.'),
  actor_id: filter('The records this actor caused.'),
  since: time('RFC 3339: records at or after this time.'),
  until: time('RFC 3339: records before this time.'),
});

const auditEventSchema = z
  .object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string().meta({ description: 'A decimal string: offsets are 64-bit.' }),
    at: z.iso.datetime(),
    event_id: z.string().nullable(),
    type: z.string().nullable(),
    session_id: z.string().nullable(),
    identity_id: z.string().nullable(),
    actor: z.object({ type: z.string().nullable(), id: z.string().nullable() }),
    reason: z.string().nullable(),
    request_id: z.string().nullable(),
    source: z.string().nullable(),
    data: z.unknown(),
    problem: z.string().nullable().meta({ description: 'Why the projector could not read it.' }),
    record_sha256: z.string(),
    chain_sha256: z.string(),
  })
  .meta({ id: 'auditEvent' });

const chainHeadSchema = z
  .object({ partition: z.number().int(), offset: z.string(), chain_sha256: z.string() })
  .meta({ id: 'auditChainHead' });

function view(e: AuditEvent): z.infer<typeof auditEventSchema> {
  return {
    topic: e.topic,
    partition: e.partition,
    offset: e.offset.toString(),
    at: e.at.toISOString(),
    event_id: e.eventId,
    type: e.type,
    session_id: e.sessionId,
    identity_id: e.identityId,
    actor: e.actor,
    reason: e.reason,
    request_id: e.requestId,
    source: e.source,
    data: e.data,
    problem: e.problem,
    record_sha256: e.recordSha256,
    chain_sha256: e.chainSha256,
  };
}

const ONE_FILTER = 'Exactly one of session_id, identity_id, request_id or actor_id is needed.';

/** The audit trail on the admin port (docs/audit.md). */
export function registerAuditRoutes(scope: FastifyInstance, audit: AuditReader): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.route({
    method: 'GET',
    url: '/admin/audit/events',
    schema: {
      operationId: 'listAuditEvents',
      summary: 'The log records about one session, identity, request or actor, oldest first.',
      querystring: auditQuerySchema,
      response: {
        200: { ...json('One page.', z.array(auditEventSchema)), headers: linkHeader },
        ...errors({
          400: `${ONE_FILTER} Or a bad time, page_size or page_token.`,
          401: DOCS.unauthorized,
          503: DOCS.readModelDown,
        }),
      },
    },
    config: {
      invalid: {
        querystring: 'since and until must be RFC 3339 times; filters at most 255 characters.',
      },
    },
    handler: async (request, reply) => {
      const query = request.query;
      const named = Object.entries(FILTERS).filter(([name]) => query[name as keyof typeof FILTERS]);
      const [only] = named;
      if (named.length !== 1 || only === undefined) throw new HttpError(400, ONE_FILTER);
      const [name, by] = only;
      const page = pageRequest(query, decodeAuditPageToken);
      const rows = await readOrUnavailable(() =>
        audit.events({
          by,
          id: query[name as keyof typeof FILTERS] ?? '',
          limit: page.size + 1,
          ...(query.since === undefined ? {} : { since: new Date(query.since) }),
          ...(query.until === undefined ? {} : { until: new Date(query.until) }),
          ...(page.after === undefined ? {} : { after: page.after }),
        }),
      );
      return sendPage(request, reply, page, rows, encodeAuditPageToken).map(view);
    },
  });

  app.route({
    method: 'GET',
    url: '/admin/audit/heads',
    schema: {
      operationId: 'listAuditChainHeads',
      summary: "The head of each partition's hash chain, to keep elsewhere and compare later.",
      response: {
        200: json(
          'One head per partition the audit projection has seen.',
          z.array(chainHeadSchema),
        ),
        ...errors({ 401: DOCS.unauthorized, 503: DOCS.readModelDown }),
      },
    },
    handler: async () =>
      (await readOrUnavailable(() => audit.heads())).map((h) => ({
        partition: h.partition,
        offset: h.offset.toString(),
        chain_sha256: h.chainSha256,
      })),
  });
}
