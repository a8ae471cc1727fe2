import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { HttpError } from '../http/error-generic.js';

export type Readiness = () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;

const hide = { schema: { hide: true } as object };

/** What a load balancer and the public need: health, and the public API's document. */
export function registerPublicOpsRoutes(
  app: FastifyInstance,
  deps: { readonly readiness: Readiness; readonly document: () => unknown },
): void {
  app.get('/health/alive', hide, () => ({ status: 'ok' }));
  app.get('/health/ready', hide, async () => {
    const { ok, checks } = await deps.readiness();
    if (ok) return { status: 'ok', checks };
    const failing = Object.keys(checks).filter((name) => !checks[name]);
    throw new HttpError(503, `Not ready: ${failing.join(', ')}.`);
  });
  app.get('/openapi/public.json', hide, () => deps.document());
}

/** What only operators see, behind the admin key: metrics and the admin API's document. */
export function registerAdminOpsRoutes(
  app: FastifyInstance,
  deps: { readonly registry: Registry; readonly document: () => unknown },
): void {
  app.get('/metrics', hide, async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );
  app.get('/openapi/admin.json', hide, () => deps.document());
}
