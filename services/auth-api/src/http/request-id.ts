import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REASONABLE = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Takes the caller's X-Request-ID when it is a reasonable identifier (short, a safe character set,
 * nothing secret in it: it is logged and echoed), otherwise makes one.
 */
export function requestIdGenerator(
  redact: (text: string) => string,
): (request: IncomingMessage) => string {
  return (request) => {
    const given = request.headers['x-request-id'];
    const acceptable =
      typeof given === 'string' && REASONABLE.test(given) && redact(given) === given;
    return acceptable ? given : randomUUID();
  };
}
