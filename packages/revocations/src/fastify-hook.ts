import type { FastifyReply, FastifyRequest } from 'fastify';
import { MalformedPositionError, PositionTimeoutError } from './position-waits.js';

/** What the hook needs of a client; a RevocationClient is one. */
export interface RevocationView {
  isRevoked(sessionId: string): boolean;
  waitFor(positionHeader: string, timeoutMs: number): Promise<void>;
  /** Set once the client has stopped following the log: every decision then answers 503. */
  readonly failure?: Error | undefined;
}

export interface RevocationHookOptions {
  /** The session id the request carries (a JWT's `sid`, a gateway's header), if any. */
  readonly sessionIdOf: (request: FastifyRequest) => string | undefined;
  /** A `Session-Log-Position` to wait for before deciding, if the request carries one. */
  readonly positionOf?: (request: FastifyRequest) => string | undefined;
  /** How long to wait for that position; default 2000 ms, then 503. */
  readonly waitTimeoutMs?: number;
}

const ANSWERS = {
  400: {
    status: 'Bad Request',
    message: 'The request was malformed or contained invalid parameters',
  },
  401: { status: 'Unauthorized', message: 'The request could not be authorized' },
  404: { status: 'Not Found', message: 'The requested resource could not be found' },
  503: {
    status: 'Service Unavailable',
    message: 'The service is temporarily unavailable, retry later',
  },
} as const;

/** Ory's errorGeneric body, as the authority answers. */
export function errorGeneric(code: keyof typeof ANSWERS, requestId: string, reason?: string) {
  return {
    error: {
      code,
      ...ANSWERS[code],
      ...(reason === undefined ? {} : { reason }),
      request: requestId,
    },
  };
}

/**
 * An onRequest hook: 401 errorGeneric for a revoked session, after waiting for the request's
 * log position when it names one; every other request goes on to its route.
 */
export function revocationHook(client: RevocationView, options: RevocationHookOptions) {
  const timeoutMs = options.waitTimeoutMs ?? 2000;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (client.failure !== undefined)
      return reply
        .code(503)
        .header('retry-after', '1')
        .send(errorGeneric(503, request.id, 'The revocations are not available'));
    const position = options.positionOf?.(request);
    if (position !== undefined) {
      try {
        await client.waitFor(position, timeoutMs);
      } catch (error) {
        if (error instanceof MalformedPositionError) {
          const reason = 'Session-Log-Position must be partition:offset[,partition:offset…]';
          return reply.code(400).send(errorGeneric(400, request.id, reason));
        }
        const reason =
          error instanceof PositionTimeoutError
            ? 'The revocations have not yet reached the given log position'
            : 'The revocations are not available';
        return reply
          .code(503)
          .header('retry-after', '1')
          .send(errorGeneric(503, request.id, reason));
      }
    }
    const sessionId = options.sessionIdOf(request);
    if (sessionId !== undefined && client.isRevoked(sessionId))
      return reply.code(401).send(errorGeneric(401, request.id, 'The session has been revoked'));
  };
}
