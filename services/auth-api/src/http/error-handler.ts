import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestGuard } from './admin-auth.js';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { NotFoundError, RejectedEventError, UnavailableError } from '../sessions/service-errors.js';
import { HttpError, errorGeneric } from './error-generic.js';

type RequestPart = 'body' | 'params' | 'querystring' | 'headers';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The errorGeneric reason when a part of the request fails its zod schema. */
    invalid?: Partial<Record<RequestPart, string>>;
  }
}

export interface Answer {
  readonly code: number;
  readonly reason?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function answerFor(error: HttpError): Answer {
  return {
    code: error.statusCode,
    headers: error.headers,
    ...(error.reason === undefined ? {} : { reason: error.reason }),
  };
}

/** Every error any route throws becomes one of these; anything unexpected is a bare 500. */
function classify(error: unknown, request: FastifyRequest, bodyLimit: number): Answer {
  if (error instanceof HttpError) return answerFor(error);
  if (error instanceof UnavailableError)
    return { code: 503, reason: error.reason, headers: { 'retry-after': '1' } };
  if (error instanceof NotFoundError) return { code: 404, reason: error.reason };
  if (error instanceof RejectedEventError) {
    request.log.warn(
      { problem: error.problem },
      'refused to append an event the projector rejects',
    );
    return { code: 400, reason: 'The request would record a value the event log does not accept.' };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = (error as { validationContext?: RequestPart }).validationContext ?? 'body';
    const reason = request.routeOptions.config.invalid?.[part] ?? `Invalid request ${part}.`;
    return { code: 400, reason };
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 413, reason: `The request body is larger than ${bodyLimit} bytes.` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 400, reason: NOT_JSON_REASON };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 400, reason: 'The request body is empty.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 400, reason: 'The request body is not valid JSON.' };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return { code: status, reason: 'The request could not be processed.' };
  return { code: 500 };
}

export const NOT_JSON_REASON = 'The request body must be sent as application/json.';

export function sendErrorGeneric(
  reply: FastifyReply,
  request: FastifyRequest,
  answer: Answer,
  debug?: string,
): FastifyReply {
  if (answer.headers !== undefined) void reply.headers(answer.headers);
  return reply
    .code(answer.code)
    .type('application/json')
    .send(errorGeneric(answer.code, request.id, answer.reason, debug));
}

/** The one error path of a port: domain errors, validation, fastify's own, and 404. */
export function installErrorHandler(
  app: FastifyInstance,
  options: { readonly bodyLimit: number; readonly debug: boolean },
): void {
  app.setErrorHandler((error, request, reply) => {
    const answer = classify(error, request, options.bodyLimit);
    if (answer.code >= 500 && !(error instanceof HttpError) && !(error instanceof UnavailableError))
      request.log.error({ err: error }, 'unhandled error');
    const debug =
      options.debug && answer.code >= 500 && error instanceof Error ? error.message : undefined;
    return sendErrorGeneric(reply, request, answer, debug);
  });
  app.setNotFoundHandler((request, reply) =>
    sendErrorGeneric(reply, request, { code: 404, reason: 'No route matches this path.' }),
  );
}

export const MISSING_HOST = new HttpError(400, 'The request has no Host header.');

/** What the router rejects before any route or hook runs: still errorGeneric, and the guard first. */
export function answerFrameworkError(guard: RequestGuard | undefined) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    void reply.header('x-request-id', request.id);
    const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
    const rejected =
      guard?.(request.headers) ??
      (tooLong
        ? new HttpError(414, 'A path segment is too long.')
        : new HttpError(400, 'The request path is not validly encoded.'));
    void sendErrorGeneric(reply, request, answerFor(rejected));
  };
}
