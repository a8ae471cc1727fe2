import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ApiMetrics } from './api-metrics.js';
import { requireAdminKey } from './http/admin-auth.js';
import { createServer } from './http/create-server.js';
import { ForbiddenLimiter } from './http/forbidden-limiter.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { adminRouteDocs, registerAdminRoutes } from './routes/admin-routes.js';
import { registerOpsRoutes, type Readiness } from './routes/ops-routes.js';
import { NOT_JSON, publicRouteDocs, registerPublicRoutes } from './routes/public-routes.js';
import type { SessionService } from './sessions/session-service.js';

export interface AppConfig {
  readonly basePath: string;
  readonly bodyLimit: number;
  readonly requestTimeoutMs: number;
  readonly trustProxy: boolean;
  readonly debug: boolean;
  readonly adminApiKey: string;
  readonly defaultLifespanMs: number;
  readonly forbiddenLimit: number;
  readonly forbiddenWindowMs: number;
}

export interface AppDeps {
  readonly config: AppConfig;
  readonly service: SessionService;
  readonly metrics: ApiMetrics;
  readonly logger: FastifyBaseLogger;
  readonly readiness: Readiness;
}

export interface Apps {
  readonly publicApp: FastifyInstance;
  readonly adminApp: FastifyInstance;
}

/** Only JSON bodies are parsed; any other media type reaches the handler as NOT_JSON, unread, so it is a 400 and not a 413. */
function acceptJsonOnly(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.addContentTypeParser('*', (_request, _payload, done) => {
    done(null, NOT_JSON);
  });
}

export async function buildApp(deps: AppDeps): Promise<Apps> {
  const { config, metrics, logger } = deps;
  const serverOptions = {
    bodyLimit: config.bodyLimit,
    requestTimeoutMs: config.requestTimeoutMs,
    trustProxy: config.trustProxy,
    debug: config.debug,
    requestSeconds: metrics.requestSeconds,
  };

  const publicApp = createServer({
    ...serverOptions,
    logger: logger.child({ port: 'public' }),
    portName: 'public',
  });
  acceptJsonOnly(publicApp);
  const limiter = new ForbiddenLimiter(config.forbiddenLimit, config.forbiddenWindowMs);
  await publicApp.register(
    (scope, _options, done) => {
      registerPublicRoutes(scope, { service: deps.service, limiter });
      done();
    },
    { prefix: config.basePath },
  );
  registerOpsRoutes(publicApp, {
    registry: metrics.registry,
    readiness: deps.readiness,
    documents: {
      public: buildOpenApiDocument(
        'session-authority public API',
        config.basePath || '/',
        publicRouteDocs,
      ),
      admin: buildOpenApiDocument('session-authority admin API', '/', adminRouteDocs, 'bearer'),
    },
  });
  publicApp.addMethodNotAllowedRoutes();

  const adminApp = createServer({
    ...serverOptions,
    logger: logger.child({ port: 'admin' }),
    portName: 'admin',
  });
  acceptJsonOnly(adminApp);
  requireAdminKey(adminApp, config.adminApiKey);
  registerAdminRoutes(adminApp, {
    service: deps.service,
    defaultLifespanMs: config.defaultLifespanMs,
  });
  adminApp.addMethodNotAllowedRoutes();

  return { publicApp, adminApp };
}
