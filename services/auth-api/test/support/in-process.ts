import { decodeRecords } from '@session-authority/events';
import { InMemoryEventLog } from '@session-authority/event-log';
import { InMemoryAuditTrail, InMemoryReadModel } from '@session-authority/read-model';
import { pino } from 'pino';
import { createApiMetrics } from '../../src/api-metrics.js';
import { buildApp, type AppConfig, type Apps } from '../../src/build-app.js';
import { SessionService } from '../../src/sessions/session-service.js';

export const ADMIN_KEY = 'in-process-admin-key-0123456789abcdef';

export interface InProcessAuthority extends Apps {
  readonly log: InMemoryEventLog;
  readonly readModel: InMemoryReadModel;
  readonly audit: InMemoryAuditTrail;
  /** Problems of appended records the projector would have rejected (none, ever). */
  rejectedRecords(): readonly string[];
}

/**
 * The whole API in one process: real SessionService, real fastify apps, the in-memory twins of
 * the log and the read model, and a projector that decodes each appended record exactly as the
 * real one does (so an event the projector would reject fails the test).
 */
export async function startInProcess(
  overrides: Partial<AppConfig> & { consistencyWaitMs?: number } = {},
): Promise<InProcessAuthority> {
  const log = new InMemoryEventLog(4);
  const readModel = new InMemoryReadModel();
  const audit = new InMemoryAuditTrail('session-events');
  const rejected: string[] = [];
  log.onAppend((partition, records) => {
    audit.append(partition, records);
    const decoded = decodeRecords(records);
    for (const problem of [decoded.halt, ...decoded.quarantined]) {
      if (problem !== undefined) rejected.push(problem.problem);
    }
    if (decoded.nextOffset === undefined) return;
    const { events, nextOffset } = decoded;
    queueMicrotask(() => readModel.apply(partition, events, nextOffset));
  });
  const metrics = createApiMetrics();
  const service = new SessionService({
    reader: readModel,
    appender: log,
    waiter: readModel,
    metrics,
    source: 'urn:session-authority:auth-api:in-process',
    consistencyWaitMs: overrides.consistencyWaitMs ?? 1000,
  });
  const apps = await buildApp({
    config: {
      basePath: '/auth',
      bodyLimit: 1024,
      requestTimeoutMs: 10_000,
      trustProxy: 0,
      debug: false,
      adminApiKey: ADMIN_KEY,
      defaultLifespanMs: 86_400_000,
      maxLifespanMs: 365 * 86_400_000,
      earliestPossibleExtendMs: undefined,
      forbiddenLimit: 1000,
      forbiddenWindowMs: 60_000,
      ...overrides,
    },
    service,
    audit,
    metrics,
    logger: pino({ level: 'silent' }),
    readiness: () => Promise.resolve({ ok: true, checks: { inProcess: true } }),
  });
  return {
    ...apps,
    log,
    readModel,
    audit,
    rejectedRecords: () => rejected,
  };
}

/** An admin-port request with the key, and a JSON body when one is given. */
export function adminRequest(
  authority: Pick<InProcessAuthority, 'adminApp'>,
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH',
  url: string,
  body?: unknown,
) {
  return authority.adminApp.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}
