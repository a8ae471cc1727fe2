import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodePageToken, type SessionPageQuery } from '@session-authority/read-model';
import { pageRequest, sendPage } from '../http/pagination.js';
import { sessionView } from '../http/session-view.js';
import type { SessionQueries } from '../sessions/session-queries.js';

export type SessionFilter = Omit<SessionPageQuery, 'now' | 'limit' | 'after'>;

/** One keyset page of the sessions `filter` selects, with its Link header, as every list route answers. */
export async function answerSessionPage(
  queries: SessionQueries,
  request: FastifyRequest<{ Querystring: { page_size?: string; page_token?: string } }>,
  reply: FastifyReply,
  filter: SessionFilter,
) {
  const page = pageRequest(request.query);
  const now = new Date();
  const rows = await queries.listPage({
    ...filter,
    now,
    limit: page.size + 1,
    ...(page.after === undefined ? {} : { after: page.after }),
  });
  return sendPage(request, reply, page, rows, (last) => encodePageToken(last.id)).map((session) =>
    sessionView(session, now),
  );
}

/** `active` when the filter names it, left out otherwise (exactOptionalPropertyTypes). */
export const withActive = (active: boolean | undefined): Pick<SessionFilter, 'active'> =>
  active === undefined ? {} : { active };
