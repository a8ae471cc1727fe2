import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import {
  errorGeneric,
  isSessionId,
  revocationHook,
  type RevocationView,
} from '@session-authority/revocations';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface ExampleAppOptions {
  /** Started before the app listens, so the app never answers from a half-loaded set. */
  readonly revocations: RevocationView;
  readonly waitTimeoutMs: number;
  readonly logger?: FastifyBaseLogger;
}

/**
 * The resource a gateway forwards to once it has checked a JWT: the JWT's `sid` arrives as
 * X-Session-Id, and a revoked session gets 401 although its JWT has not expired.
 */
export function buildExampleApp(options: ExampleAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    disableRequestLogging: true,
    requestIdHeader: 'x-request-id',
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook(
    'onRequest',
    revocationHook(options.revocations, {
      sessionIdOf: (request) => header(request, 'x-session-id'),
      positionOf: (request) => header(request, 'session-log-position'),
      waitTimeoutMs: options.waitTimeoutMs,
    }),
  );
  app.get('/', (request, reply) => {
    const sessionId = header(request, 'x-session-id');
    if (sessionId === undefined || !isSessionId(sessionId))
      return reply
        .code(401)
        .send(errorGeneric(401, request.id, 'X-Session-Id must name a session'));
    return { session_id: sessionId };
  });
  app.get('/health/alive', () => ({ status: 'ok' }));
  app.get('/health/ready', () => ({ status: 'ok' }));
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorGeneric(404, request.id)));
  return app;
}
