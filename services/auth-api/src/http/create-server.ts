import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Histogram } from 'prom-client';
import { answerClientError } from './client-error.js';
import type { RequestGuard } from './admin-auth.js';
import { HttpError, errorGeneric } from './error-generic.js';
import {
  answerFrameworkError,
  installErrorHandler,
  MISSING_HOST,
  NOT_JSON_REASON,
} from './error-handler.js';
import { requestIdGenerator } from './request-id.js';
import { secretRedactor } from './secrets.js';
import { wasShed } from './write-admission.js';

export interface ServerOptions {
  readonly logger: FastifyBaseLogger;
  readonly bodyLimit: number;
  readonly requestTimeoutMs: number;
  readonly trustProxy: number | readonly string[];
  readonly debug: boolean;
  readonly requestSeconds: Histogram<'port' | 'method' | 'route' | 'status'>;
  readonly portName: 'public' | 'admin';
  /** Checked first on every request, before routing: the admin key on the admin port. */
  readonly guard?: RequestGuard;
  /** Strings never to log or echo besides token-shaped ones: the admin key. */
  readonly secrets: readonly string[];
}

/** A hop count trusts the nearest `hops` proxies (0: none); a list trusts those addresses. */
function trustedProxies(trust: number | readonly string[]) {
  if (typeof trust !== 'number') return [...trust];
  return trust === 0 ? false : (_address: string, hop: number) => hop < trust;
}

const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Only JSON bodies are parsed; any other media type is a 400 before a byte of it is read (not a
 * 413). An empty body is no body, whatever its declared type (axios declares a form on a body-less
 * PATCH): a route that needs one says so itself.
 */
function acceptJsonOnly(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else void parseJson(request, body.toString(), done);
  });
  app.addContentTypeParser('*', (request, _payload, done) => {
    const empty = request.headers['content-length'] === '0';
    done(empty ? null : new HttpError(400, NOT_JSON_REASON), undefined);
  });
}

/** A fastify instance with the conventions both ports share: ids, errors, 404/405, metrics, timeouts. */
export function createServer(options: ServerOptions): FastifyInstance {
  const redact = secretRedactor(options.secrets);
  const app = Fastify({
    loggerInstance: options.logger,
    genReqId: requestIdGenerator(redact),
    logController: new LogController({
      requestIdLogLabel: 'request_id',
      disableRequestLogging: true,
    }),
    bodyLimit: options.bodyLimit,
    trustProxy: trustedProxies(options.trustProxy),
    requestTimeout: options.requestTimeoutMs,
    connectionTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError(options.guard),
    // Node would answer a request without Host itself, with an empty 400; this app answers it.
    http: { requireHostHeader: false },
  });
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers; types check them at compile time, so no runtime pass.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  acceptJsonOnly(app);
  installErrorHandler(app, options);

  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    const refused = options.guard?.(request.headers);
    done(refused ?? (request.headers.host === undefined ? MISSING_HOST : undefined));
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
    if (request.url.startsWith('/health/') || request.url === '/metrics' || wasShed(request))
      return;
    // The path only: a query string could carry a token a client put there by mistake.
    const access = {
      method: request.method,
      path: redact(request.url.split('?', 1)[0] ?? ''),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (reply.statusCode >= 500) request.log.warn(access, 'request answered 5xx');
    else request.log.info(access, 'request completed');
  });

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
        schema: { hide: true },
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
