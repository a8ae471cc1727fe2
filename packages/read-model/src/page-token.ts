const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PREFIX = 'after:';

/** The opaque page token of a keyset page (SessionPageQuery.after): where the next page starts. */
export const encodePageToken = (lastId: string): string =>
  Buffer.from(`${PREFIX}${lastId}`).toString('base64url');

/** The id a page token starts after, or undefined when it is not one this code made. */
export function decodePageToken(token: string): string | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const lastId = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  return UUID.test(lastId) && encodePageToken(lastId) === token ? lastId : undefined;
}
