import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './error-generic.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** An HttpError to answer before anything else about the request, or undefined to go on. */
export type RequestGuard = (headers: IncomingHttpHeaders) => HttpError | undefined;

/**
 * `Authorization: Bearer <ADMIN_API_KEY>` or 401, checked before routing answers anything
 * (a bad path says nothing to a caller without the key). Digests make the compare constant-time.
 */
export function adminKeyGuard(adminApiKey: string): RequestGuard {
  const expected = digest(adminApiKey);
  return (headers) => {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return undefined;
    return new HttpError(401, 'A valid admin API key is required.', {
      'www-authenticate': 'Bearer',
    });
  };
}
