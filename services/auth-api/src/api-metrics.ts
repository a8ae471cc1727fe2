import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  readonly registry: Registry;
  readonly requestSeconds: Histogram<'port' | 'method' | 'route' | 'status'>;
  readonly revocations: Counter<'reason'>;
  readonly projectionWaitSeconds: Histogram<'outcome'>;
  readonly writesRefused: Counter<'reason'>;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requestSeconds: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Request latency by port, method, route and status.',
      labelNames: ['port', 'method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    revocations: new Counter({
      name: 'session_revocations_total',
      help: 'Revocation events appended by this replica, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    projectionWaitSeconds: new Histogram({
      name: 'projection_wait_seconds',
      help: 'Time from the log acknowledging an event to the read model showing it.',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    writesRefused: new Counter({
      name: 'writes_refused_total',
      help: 'Writes answered 503 at once: too many in flight (overloaded), or the log did not acknowledge within LOG_APPEND_TIMEOUT_MS (log-slow).',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
