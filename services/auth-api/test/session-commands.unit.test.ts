import { randomUUID } from 'node:crypto';
import { decodeRecords } from '@session-authority/events';
import { InMemoryEventLog, type EventAppender } from '@session-authority/event-log';
import { InMemoryReadModel, type SessionReader } from '@session-authority/read-model';
import type { SessionState } from '@session-authority/sessions';
import { describe, expect, it } from 'vitest';
import { createApiMetrics } from '../src/api-metrics.js';
import {
  NotFoundError,
  REASONS,
  RejectedEventError,
  UnavailableError,
} from '../src/sessions/service-errors.js';
import { createSessions } from '../src/sessions/create-sessions.js';
import { appendedEnvelopes } from './support/in-process.js';

const ADMIN = { type: 'admin', id: 'test' } as const;

/** The commands and queries over the twins; `hold()` leaves appended events unprojected until `release()`. */
function setup(
  options: {
    waitMs?: number;
    reader?: (model: InMemoryReadModel) => SessionReader;
    appender?: (log: InMemoryEventLog) => EventAppender;
  } = {},
) {
  const log = new InMemoryEventLog(4);
  const readModel = new InMemoryReadModel();
  const held: (() => void)[] = [];
  let holding = false;
  log.onAppend((partition, records) => {
    const decoded = decodeRecords(records);
    const apply = () => readModel.apply(partition, decoded.events, decoded.nextOffset ?? 0n);
    if (holding) held.push(apply);
    else apply();
  });
  const metrics = createApiMetrics();
  const { queries, commands } = createSessions({
    reader: options.reader?.(readModel) ?? readModel,
    appender: options.appender?.(log) ?? log,
    watermark: readModel,
    metrics,
    source: 'urn:test',
    consistencyWaitMs: options.waitMs ?? 1000,
    appendTimeoutMs: 100,
  });
  const revocationsOf = (sessionId: string) =>
    appendedEnvelopes(log).filter((e) => e.subject === sessionId && e.type === 'session.revoked.v2')
      .length;
  const hold = () => {
    holding = true;
  };
  const release = () => {
    holding = false;
    for (const apply of held.splice(0)) apply();
  };
  return { log, readModel, metrics, queries, commands, revocationsOf, hold, release };
}

describe('the session commands', () => {
  it('concurrent logouts of one session share one event (single flight)', async () => {
    const { commands, revocationsOf } = setup();
    const { session, token } = await commands.issue(randomUUID(), 60_000, ADMIN, 'r1');
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => commands.logout(token, `r${i}`)),
    );
    expect(outcomes.filter((o) => o.outcome === 'revoked')).toHaveLength(10);
    expect(new Set(outcomes.map((o) => o.positions[0]?.offset)).size).toBe(1);
    expect(revocationsOf(session.id)).toBe(1);
  });

  it('a session this replica just revoked appends nothing, even when read before the revocation', async () => {
    let stale: SessionState | null = null;
    const { commands, revocationsOf } = setup({
      reader: (model) => ({
        findById: (id) => model.findById(id),
        listByIdentity: (id) => model.listByIdentity(id),
        listPage: (query) => model.listPage(query),
        // A replica's read that raced its own revocation: the session as it was before.
        findByTokenDigest: async (digest) => stale ?? (await model.findByTokenDigest(digest)),
      }),
    });
    const { session, token } = await commands.issue(randomUUID(), 60_000, ADMIN, 'r1');
    stale = session;
    expect((await commands.logout(token, 'r2')).outcome).toBe('revoked');
    expect((await commands.logout(token, 'r3')).outcome).toBe('already-revoked');
    expect((await commands.revokeById(session.id, ADMIN, 'r4')).outcome).toBe('already-revoked');
    expect(revocationsOf(session.id)).toBe(1);
  });

  it('a revocation the projection does not show in time is a 503; once it does, a retry is 204-safe', async () => {
    const { commands, hold, release, revocationsOf } = setup({ waitMs: 50 });
    const { session, token } = await commands.issue(randomUUID(), 60_000, ADMIN, 'r1');
    hold();
    await expect(commands.logout(token, 'r2')).rejects.toBeInstanceOf(UnavailableError);
    expect(revocationsOf(session.id)).toBe(1);
    release();
    expect((await commands.logout(token, 'r3')).outcome).toBe('already-revoked');
    expect(revocationsOf(session.id)).toBe(1);
  });

  it('a log that rejects appends is a 503 and counts no revocation', async () => {
    const { commands, log, metrics } = setup();
    const { token } = await commands.issue(randomUUID(), 60_000, ADMIN, 'r1');
    log.failWith(new Error('broker down'));
    await expect(commands.logout(token, 'r2')).rejects.toBeInstanceOf(UnavailableError);
    expect((await metrics.revocations.get()).values.reduce((n, v) => n + v.value, 0)).toBe(0);
    log.failWith(undefined);
    expect((await commands.logout(token, 'r3')).outcome).toBe('revoked');
    expect((await metrics.revocations.get()).values.reduce((n, v) => n + v.value, 0)).toBe(1);
  });

  it('a read model that fails is a 503, an unknown id is NotFound', async () => {
    const { commands, queries, readModel } = setup();
    await expect(queries.getById(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    await expect(commands.revokeIdentity(randomUUID(), ADMIN, 'r')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    readModel.failReads(new Error('down'));
    await expect(queries.findByToken('ory_st_' + 'a'.repeat(32))).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('an event the projector would reject is refused before the append', async () => {
    const { commands, log } = setup();
    await expect(commands.issue('not-a-uuid', 60_000, ADMIN, 'r1')).rejects.toBeInstanceOf(
      RejectedEventError,
    );
    await expect(commands.issue(randomUUID(), 60_000, ADMIN, '')).rejects.toBeInstanceOf(
      RejectedEventError,
    );
    expect(Array.from({ length: log.partitionCount }, (_, p) => log.records(p)).flat()).toEqual([]);
  });

  it('an append the log does not acknowledge within appendTimeoutMs is a 503 then, not at the end of the whole budget', async () => {
    const stalled: EventAppender = {
      append: () => new Promise(() => undefined),
      close: () => Promise.resolve(),
    };
    const { commands } = setup({ waitMs: 60_000, appender: () => stalled });
    const startedAt = performance.now();
    const refused = await commands
      .issue(randomUUID(), 60_000, ADMIN, 'i')
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect((refused as UnavailableError).reason).toBe(REASONS.logDown);
    // appendTimeoutMs is 100 ms; the budget, 60 s.
    expect(performance.now() - startedAt).toBeLessThan(5000);
  });

  it('issuance returns the session the projection will hold', async () => {
    const { commands, readModel } = setup();
    const { session } = await commands.issue(randomUUID(), 60_000, ADMIN, 'r1');
    expect(await readModel.findById(session.id)).toEqual(session);
  });
});
