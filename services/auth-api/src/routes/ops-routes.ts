import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { HttpError } from '../http/error-generic.js';

export type Readiness = () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;

export interface OpsRouteDeps {
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly documents: { readonly public: () => unknown; readonly admin: () => unknown };
}

const hide = { schema: { hide: true } as object };

export function registerOpsRoutes(app: FastifyInstance, deps: OpsRouteDeps): void {
  app.get('/health/alive', hide, () => ({ status: 'ok' }));
  app.get('/health/ready', hide, async () => {
    const { ok, checks } = await deps.readiness();
    if (ok) return { status: 'ok', checks };
    const failing = Object.keys(checks).filter((name) => !checks[name]);
    throw new HttpError(503, `Not ready: ${failing.join(', ')}.`);
  });
  app.get('/metrics', hide, async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );
  app.get('/openapi/public.json', hide, () => deps.documents.public());
  app.get('/openapi/admin.json', hide, () => deps.documents.admin());
}
