import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodePageToken } from '@session-authority/read-model';
import { z } from 'zod';
import { HttpError } from './error-generic.js';

export const DEFAULT_PAGE_SIZE = 250;
export const MAX_PAGE_SIZE = 1000;

/** The values Go's strconv.ParseBool takes, which is what Kratos parses `active` with. */
const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

const pageSize = z
  .string()
  .optional()
  .meta({
    description: `Items per page: ${DEFAULT_PAGE_SIZE} by default, at most ${MAX_PAGE_SIZE} (a larger value is taken as ${MAX_PAGE_SIZE}).`,
    example: '250',
  });
const pageToken = z.string().optional().meta({
  description:
    'Opaque: the page_token of the `next` link of the page before. Absent: the first page.',
});
const active = z.string().optional().meta({
  description: 'true: only active sessions; false: only revoked or expired ones; absent: all.',
});

/** Kratos's keyset pagination parameters (its legacy `page`/`per_page` are not taken). */
export const pageQuerySchema = z.looseObject({ page_size: pageSize, page_token: pageToken });
export const filteredPageQuerySchema = pageQuerySchema.extend({ active });

export interface PageRequest<Cursor = string> {
  readonly size: number;
  /** Where the page before ended (for sessions, its last id). */
  readonly after: Cursor | undefined;
}

/**
 * The page asked for: 400 errorGeneric, as Kratos answers, for a size or token it cannot parse.
 * `decode` reads a token this authority made (sessions' by default), undefined for any other.
 */
export function pageRequest<Cursor = string>(
  query: { page_size?: string; page_token?: string },
  decode: (token: string) => Cursor | undefined = decodePageToken as (
    token: string,
  ) => Cursor | undefined,
): PageRequest<Cursor> {
  let size = DEFAULT_PAGE_SIZE;
  if (query.page_size !== undefined && query.page_size !== '') {
    size = /^[0-9]{1,9}$/.test(query.page_size) ? Number(query.page_size) : 0;
    if (size < 1) throw new HttpError(400, 'could not parse parameter page_size');
    size = Math.min(size, MAX_PAGE_SIZE);
  }
  if (query.page_token === undefined || query.page_token === '') return { size, after: undefined };
  const after = decode(query.page_token);
  if (after === undefined) throw new HttpError(400, 'could not parse parameter page_token');
  return { size, after };
}

/** Kratos's `active` filter: undefined when absent, 400 errorGeneric when not a boolean. */
export function activeFilter(query: { active?: string }): boolean | undefined {
  const value = query.active;
  if (value === undefined || value === '') return undefined;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new HttpError(400, 'could not parse parameter active');
}

function link(request: FastifyRequest, rel: string, size: number, token: string | undefined) {
  const url = new URL(request.url, 'http://authority.invalid');
  url.searchParams.set('page_size', String(size));
  if (token === undefined) url.searchParams.delete('page_token');
  else url.searchParams.set('page_token', token);
  return `<${url.pathname}${url.search}>; rel="${rel}"`;
}

/**
 * Answers one page of `rows` (fetched with one row more than the page holds, so the last page
 * is known) with Kratos's `Link` header: always `first`, and `next` unless this is the last page.
 */
export function sendPage<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  page: { readonly size: number },
  rows: readonly T[],
  tokenAfter: (last: T) => string,
): T[] {
  const items = rows.slice(0, page.size);
  const links = [link(request, 'first', page.size, undefined)];
  const last = items.at(-1);
  if (rows.length > page.size && last !== undefined)
    links.push(link(request, 'next', page.size, tokenAfter(last)));
  void reply.header('link', links.join(','));
  return items;
}

/** The Link header, documented on every paginated answer. */
export const linkHeader = {
  Link: {
    type: 'string',
    description:
      'RFC 8288 links: `rel="first"` always, `rel="next"` unless this is the last page; follow `next` until it is absent.',
  },
};
