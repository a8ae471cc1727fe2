import { randomUUID } from 'node:crypto';
import { decodeRecords, readEnvelope, type EventEnvelope } from '@session-authority/events';
import { InMemoryEventLog } from '@session-authority/event-log';
import { InMemoryAuditTrail, InMemoryReadModel } from '@session-authority/read-model';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { expect } from 'vitest';
import { createApiMetrics } from '../../src/api-metrics.js';
import { buildApp, type AppConfig, type Apps } from '../../src/build-app.js';
import { createSessions } from '../../src/sessions/create-sessions.js';

export const ADMIN_KEY = 'in-process-admin-key-0123456789abcdef';

export interface InProcessAuthority extends Apps {
  readonly log: InMemoryEventLog;
  readonly readModel: InMemoryReadModel;
  readonly audit: InMemoryAuditTrail;
  /** Problems of appended records the projector would have rejected (none, ever). */
  rejectedRecords(): readonly string[];
  /** Leaves appended events unprojected until releaseProjection(). */
  holdProjection(): void;
  /** Applies what was appended meanwhile, and everything from now on. */
  releaseProjection(): void;
}

/**
 * The whole API in one process: the real commands and queries, real fastify apps, the in-memory twins of
 * the log and the read model, and a projector that decodes each appended record exactly as the
 * real one does (so an event the projector would reject fails the test).
 */
export async function startInProcess(
  overrides: Partial<AppConfig> & {
    consistencyWaitMs?: number;
    clock?: () => number;
    /** Where the app logs; silent by default. */
    logger?: FastifyBaseLogger;
  } = {},
): Promise<InProcessAuthority> {
  const log = new InMemoryEventLog(4);
  const readModel = new InMemoryReadModel();
  const audit = new InMemoryAuditTrail('session-events');
  const rejected: string[] = [];
  let held: (() => void)[] | undefined;
  log.onAppend((partition, records) => {
    audit.append(partition, records);
    const decoded = decodeRecords(records);
    for (const problem of [decoded.halt, ...decoded.quarantined]) {
      if (problem !== undefined) rejected.push(problem.problem);
    }
    if (decoded.nextOffset === undefined) return;
    const { events, nextOffset } = decoded;
    const apply = () => readModel.apply(partition, events, nextOffset);
    if (held === undefined) queueMicrotask(apply);
    else held.push(apply);
  });
  const metrics = createApiMetrics();
  const { queries, commands } = createSessions({
    reader: readModel,
    appender: log,
    watermark: readModel,
    metrics,
    source: 'urn:session-authority:auth-api:in-process',
    consistencyWaitMs: overrides.consistencyWaitMs ?? 1000,
    appendTimeoutMs: 1000,
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
      admission: { maxPending: 256, maxWaitMs: 60_000 },
      ...overrides,
    },
    queries,
    commands,
    audit,
    metrics,
    logger: overrides.logger ?? pino({ level: 'silent' }),
    readiness: () => Promise.resolve({ ok: true, checks: { inProcess: true } }),
    ...(overrides.clock === undefined ? {} : { clock: overrides.clock }),
  });
  return {
    ...apps,
    log,
    readModel,
    audit,
    rejectedRecords: () => rejected,
    holdProjection: () => {
      held ??= [];
    },
    releaseProjection: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const apply of waiting) apply();
    },
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

/** A session issued through the admin API, as the tests use it. */
export interface IssuedForTest<Session> {
  readonly id: string;
  readonly token: string;
  readonly session: Session;
  /** The request id of the issuing request (X-Request-ID). */
  readonly requestId: string;
}

/** Issues a session on the admin port (the login service's call); the answer must be 201. */
export async function issueSession<Session extends { id: string } = { id: string }>(
  authority: Pick<InProcessAuthority, 'adminApp'>,
  identityId: string = randomUUID(),
  body: unknown = {},
): Promise<IssuedForTest<Session>> {
  const response = await adminRequest(
    authority,
    'POST',
    `/admin/identities/${identityId}/sessions`,
    body,
  );
  expect(response.statusCode, response.body).toBe(201);
  const { session, session_token } = response.json<{ session: Session; session_token: string }>();
  return {
    id: session.id,
    token: session_token,
    session,
    requestId: String(response.headers['x-request-id']),
  };
}

/** Every envelope the API appended to the in-memory log, over all partitions. */
export function appendedEnvelopes(log: InMemoryEventLog): EventEnvelope[] {
  return Array.from({ length: log.partitionCount }, (_, p) => log.records(p))
    .flat()
    .map(({ record }) => readEnvelope(record))
    .flatMap((read) => (read.ok ? [read.envelope] : []));
}

/** The `Session-Log-Position` an answer that appended one event of `type` for the session carries. */
export function positionHeaderOf(log: InMemoryEventLog, sessionId: string, type: string): string {
  const partition = log.partitionOf(sessionId);
  const record = log
    .records(partition)
    .filter(({ record }) => {
      const read = readEnvelope(record);
      return read.ok && read.envelope.subject === sessionId && read.envelope.type === type;
    })
    .at(-1);
  if (record === undefined) throw new Error(`no ${type} of ${sessionId} in the log`);
  return `${partition}:${record.offset}`;
}
