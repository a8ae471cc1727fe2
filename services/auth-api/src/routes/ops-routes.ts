import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { HttpError } from '../http/error-generic.js';

export type Readiness = () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;

export interface OpsRouteDeps {
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly documents: { readonly public: unknown; readonly admin: unknown };
}

export function registerOpsRoutes(app: FastifyInstance, deps: OpsRouteDeps): void {
  app.get('/health/alive', () => ({ status: 'ok' }));
  app.get('/health/ready', async () => {
    const { ok, checks } = await deps.readiness();
    if (ok) return { status: 'ok', checks };
    const failing = Object.keys(checks).filter((name) => !checks[name]);
    throw new HttpError(503, `Not ready: ${failing.join(', ')}.`);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );
  app.get('/openapi/public.json', () => deps.documents.public);
  app.get('/openapi/admin.json', () => deps.documents.admin);
}
