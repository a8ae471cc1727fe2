import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ApiMetrics } from './api-metrics.js';
import { adminKeyGuard } from './http/admin-auth.js';
import { createServer } from './http/create-server.js';
import { SheddingLog } from './http/shedding-log.js';
import { shedWrites, WriteAdmission, type AdmissionLimits } from './http/write-admission.js';
import { ForbiddenLimiter } from './http/forbidden-limiter.js';
import { documentRoutes } from './http/openapi.js';
import type { AuditReader } from '@session-authority/read-model';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import {
  registerAdminOpsRoutes,
  registerPublicOpsRoutes,
  type Readiness,
} from './routes/ops-routes.js';
import { registerPublicRoutes } from './routes/public-routes.js';
import type { SessionCommands } from './sessions/session-commands.js';
import type { SessionQueries } from './sessions/session-queries.js';

export interface AppConfig {
  readonly basePath: string;
  readonly bodyLimit: number;
  readonly requestTimeoutMs: number;
  /** A hop count (0: trust no proxy) or the proxies' addresses and CIDRs. */
  readonly trustProxy: number | readonly string[];
  readonly debug: boolean;
  readonly adminApiKey: string;
  readonly defaultLifespanMs: number;
  readonly maxLifespanMs: number;
  /** Kratos's earliest_possible_extend; undefined: a session can always be extended. */
  readonly earliestPossibleExtendMs: number | undefined;
  readonly forbiddenLimit: number;
  readonly forbiddenWindowMs: number;
  /** When a write is answered 503 at once (see WriteAdmission). */
  readonly admission: AdmissionLimits;
}

export interface AppDeps {
  readonly config: AppConfig;
  readonly queries: SessionQueries;
  readonly commands: SessionCommands;
  readonly audit: AuditReader;
  readonly metrics: ApiMetrics;
  readonly logger: FastifyBaseLogger;
  readonly readiness: Readiness;
  /** Milliseconds, for the admission's ages; default performance.now. */
  readonly clock?: () => number;
}

export interface Apps {
  readonly publicApp: FastifyInstance;
  readonly adminApp: FastifyInstance;
  /** Stops taking requests on both ports and waits for those in flight. */
  close(): Promise<void>;
}

/** Both ports, ready to listen (or to be driven with `inject`). */
export async function buildApp(deps: AppDeps): Promise<Apps> {
  const { config, metrics, logger, queries, commands } = deps;
  const serverOptions = {
    bodyLimit: config.bodyLimit,
    requestTimeoutMs: config.requestTimeoutMs,
    trustProxy: config.trustProxy,
    debug: config.debug,
    requestSeconds: metrics.requestSeconds,
    secrets: [config.adminApiKey],
  };

  const admission = new WriteAdmission(config.admission, deps.clock);
  const sheddingLog = new SheddingLog(logger);
  const port = async (portName: 'public' | 'admin', serverUrl: string) => {
    const app = createServer({
      ...serverOptions,
      logger: logger.child({ port: portName }),
      portName,
      ...(portName === 'admin' ? { guard: adminKeyGuard(config.adminApiKey) } : {}),
    });
    shedWrites(app, admission, () => {
      metrics.writesRefused.inc({ reason: 'overloaded' });
      sheddingLog.refused();
    });
    const title = `session-authority ${portName} API`;
    await documentRoutes(app, { title, serverUrl, bearer: portName === 'admin' });
    return app;
  };

  const publicApp = await port('public', config.basePath || '/');
  const limiter = new ForbiddenLimiter(config.forbiddenLimit, config.forbiddenWindowMs);
  await publicApp.register(
    (scope, _options, done) => {
      registerPublicRoutes(scope, { queries, commands, limiter });
      done();
    },
    { prefix: config.basePath },
  );

  const adminApp = await port('admin', '/');
  registerAdminRoutes(adminApp, {
    queries,
    commands,
    defaultLifespanMs: config.defaultLifespanMs,
    maxLifespanMs: config.maxLifespanMs,
    earliestPossibleExtendMs: config.earliestPossibleExtendMs,
  });

  registerAuditRoutes(adminApp, deps.audit);

  registerPublicOpsRoutes(publicApp, {
    readiness: deps.readiness,
    document: () => publicApp.swagger(),
  });
  registerAdminOpsRoutes(adminApp, {
    registry: metrics.registry,
    document: () => adminApp.swagger(),
  });
  publicApp.addMethodNotAllowedRoutes();
  adminApp.addMethodNotAllowedRoutes();
  await Promise.all([publicApp.ready(), adminApp.ready()]);
  return {
    publicApp,
    adminApp,
    close: async () => {
      await Promise.all([publicApp.close(), adminApp.close()]);
    },
  };
}
