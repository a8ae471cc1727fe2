import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface OpsDeps {
  readonly registry: Registry;
  readonly ready: () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;
}

/** Health and metrics of the projector, on its own small port. */
export function buildOpsServer(deps: OpsDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health/alive', () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const { ok, checks } = await deps.ready();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  return app;
}
