import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import type { Histogram } from 'prom-client';
import { answerClientError } from './client-error.js';
import { HttpError, errorGeneric } from './error-generic.js';
import { requestIdFrom } from './request-id.js';

export interface ServerOptions {
  readonly logger: FastifyBaseLogger;
  readonly bodyLimit: number;
  readonly requestTimeoutMs: number;
  readonly trustProxy: boolean;
  readonly debug: boolean;
  readonly requestSeconds: Histogram<'port' | 'method' | 'route' | 'status'>;
  readonly portName: 'public' | 'admin';
}

const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Maps what fastify itself rejects to a client answer; anything unexpected is a bare 500. */
function classify(
  error: FastifyError | HttpError,
  bodyLimit: number,
): { code: number; reason?: string } {
  if (error instanceof HttpError)
    return {
      code: error.statusCode,
      ...(error.reason === undefined ? {} : { reason: error.reason }),
    };
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 413, reason: `The request body is larger than ${bodyLimit} bytes.` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 400, reason: 'The request body must be sent as application/json.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 400, reason: 'The request body is empty.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 400, reason: 'The request body is not valid JSON.' };
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { code: status, reason: 'The request could not be processed.' };
  }
  return { code: 500 };
}

/** A fastify instance with the conventions both ports share: ids, errors, 404/405, metrics, timeouts. */
export function createServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    genReqId: requestIdFrom,
    logController: new LogController({
      requestIdLogLabel: 'request_id',
      disableRequestLogging: true,
    }),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    requestTimeout: options.requestTimeoutMs,
    connectionTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    options.requestSeconds.observe(
      {
        port: options.portName,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    if (request.url.startsWith('/health/') || request.url === '/metrics') return;
    // The path only: a query string could carry a token a client put there by mistake.
    const access = {
      method: request.method,
      path: request.url.split('?', 1)[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (reply.statusCode >= 500) request.log.warn(access, 'request answered 5xx');
    else request.log.info(access, 'request completed');
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const { code, reason } = classify(error, options.bodyLimit);
    if (code >= 500 && !(error instanceof HttpError))
      request.log.error({ err: error }, 'unhandled error');
    if (error instanceof HttpError) void reply.headers(error.headers);
    const debug = options.debug && code >= 500 ? error.message : undefined;
    return reply
      .code(code)
      .type('application/json')
      .send(errorGeneric(code, request.id, reason, debug));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(errorGeneric(404, request.id, 'No route matches this path.')),
  );

  const methodsByUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const known = methodsByUrl.get(route.url) ?? new Set<string>();
    for (const method of methods) known.add(method);
    methodsByUrl.set(route.url, known);
  });
  app.decorate('addMethodNotAllowedRoutes', () => {
    for (const [url, allowed] of [...methodsByUrl]) {
      const missing = ROUTE_METHODS.filter((method) => !allowed.has(method));
      if (missing.length === 0) continue;
      const allow = [...allowed].join(', ');
      app.route({
        method: missing,
        url,
        handler: (request, reply) =>
          reply
            .code(405)
            .header('allow', allow)
            .type('application/json')
            .send(errorGeneric(405, request.id, `This resource allows ${allow}.`)),
      });
    }
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Call after every route is registered: answers 405 (with Allow) for the other methods. */
    addMethodNotAllowedRoutes(): void;
  }
}
