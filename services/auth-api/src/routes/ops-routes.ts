import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type Readiness = () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;

export interface OpsRouteDeps {
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly documents: { readonly public: unknown; readonly admin: unknown };
}

export function registerOpsRoutes(app: FastifyInstance, deps: OpsRouteDeps): void {
  app.get('/health/alive', () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const { ok, checks } = await deps.readiness();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );
  app.get('/openapi/public.json', () => deps.documents.public);
  app.get('/openapi/admin.json', () => deps.documents.admin);
}
