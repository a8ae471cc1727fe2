import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { SheddingLog } from '../src/http/shedding-log.js';
import { WriteAdmission } from '../src/http/write-admission.js';
import { REASONS } from '../src/sessions/service-errors.js';
import { expectErrorGeneric } from './support/expect-error.js';
import {
  appendedEnvelopes,
  issueSession,
  startInProcess,
  type InProcessAuthority,
} from './support/in-process.js';

describe('WriteAdmission', () => {
  it('refuses past maxPending in flight, and once a place is free takes the next', () => {
    const admission = new WriteAdmission({ maxPending: 2, maxWaitMs: 1000 }, () => 0);
    const first = admission.enter();
    expect(admission.enter()).toBeDefined();
    expect(admission.enter()).toBeUndefined();
    admission.leave(first ?? -1);
    expect(admission.enter()).toBeDefined();
  });

  it('refuses while the oldest write in flight has waited longer than maxWaitMs, and takes writes again once it is done', () => {
    let now = 0;
    const admission = new WriteAdmission({ maxPending: 100, maxWaitMs: 100 }, () => now);
    const oldest = admission.enter() ?? -1;
    now = 50;
    expect(admission.enter()).toBeDefined();
    now = 101;
    expect(admission.enter()).toBeUndefined();
    admission.leave(oldest);
    // The one left has waited 51 ms.
    expect(admission.enter()).toBeDefined();
  });
});

interface LogLine {
  readonly msg: string;
  readonly refused?: number;
  readonly status?: number;
}

describe('SheddingLog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says when shedding starts, how many it refused each interval, and when it stopped', () => {
    vi.useFakeTimers();
    const lines: LogLine[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
    );
    const log = new SheddingLog(logger, 1000);
    for (let i = 0; i < 500; i++) log.refused();
    expect(lines.map((l) => l.msg)).toEqual([
      'shedding writes: answering 503 until the writes in flight are confirmed',
    ]);
    vi.advanceTimersByTime(1000);
    // The first refusal was its own line; the 499 after it are counted.
    expect(lines.at(-1)).toMatchObject({ msg: 'still shedding writes', refused: 499 });
    log.refused();
    vi.advanceTimersByTime(1000);
    expect(lines.at(-1)).toMatchObject({ msg: 'still shedding writes', refused: 1 });
    vi.advanceTimersByTime(1000);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped shedding writes' });
    expect(lines).toHaveLength(4);
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(4);
  });
});

const logoutOn = (running: InProcessAuthority) => (token: string) =>
  running.publicApp.inject({
    method: 'DELETE',
    url: '/auth/self-service/logout/api',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ session_token: token }),
  });

/** A logout left in flight: its revocation is in the log, its projection held until released. */
async function logoutInFlight(running: InProcessAuthority, session: { id: string; token: string }) {
  running.holdProjection();
  const answer = logoutOn(running)(session.token);
  await vi.waitFor(() => {
    const revoked = appendedEnvelopes(running.log).filter((e) => e.type === 'session.revoked.v2');
    expect(revoked.map((e) => e.subject)).toContain(session.id);
  });
  return { answer };
}

describe('load shedding on the HTTP ports', () => {
  let authority: InProcessAuthority | undefined;
  afterEach(async () => {
    await authority?.close();
  });

  it('a logout while the oldest write has waited too long is a 503 errorGeneric with Retry-After at once; whoami is not shed; a retry later succeeds', async () => {
    let now = 0;
    const running = await startInProcess({
      admission: { maxPending: 256, maxWaitMs: 100 },
      clock: () => now,
      consistencyWaitMs: 60_000,
    });
    authority = running;
    const logout = logoutOn(running);
    const [first, second] = [await issueSession(running), await issueSession(running)];

    const waiting = await logoutInFlight(running, first);
    now = 101;
    const shed = await logout(second.token);
    expectErrorGeneric(shed, 503, REASONS.overloaded);
    expect(shed.headers['retry-after']).toBe('1');
    const whoami = await running.publicApp.inject({
      method: 'GET',
      url: '/auth/sessions/whoami',
      headers: { 'x-session-token': second.token },
    });
    expect(whoami.statusCode).toBe(200);

    running.releaseProjection();
    expect((await waiting.answer).statusCode).toBe(204);
    expect((await logout(second.token)).statusCode).toBe(204);
  });

  it('a shed write has no access-log line of its own: the replica logs that it sheds, once', async () => {
    let now = 0;
    const lines: LogLine[] = [];
    const running = await startInProcess({
      admission: { maxPending: 256, maxWaitMs: 100 },
      clock: () => now,
      consistencyWaitMs: 60_000,
      logger: pino(
        { level: 'info' },
        { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
      ),
    });
    authority = running;
    const logout = logoutOn(running);
    const [first, second] = [await issueSession(running), await issueSession(running)];
    const waiting = await logoutInFlight(running, first);
    now = 101;
    for (let i = 0; i < 20; i++) expect((await logout(second.token)).statusCode).toBe(503);
    running.releaseProjection();
    expect((await waiting.answer).statusCode).toBe(204);

    expect(lines.filter((l) => l.status === 503)).toEqual([]);
    expect(lines.filter((l) => l.msg.startsWith('shedding writes'))).toHaveLength(1);
    // The write it admitted is in the access log as before.
    expect(lines.filter((l) => l.msg === 'request completed' && l.status === 204)).toHaveLength(1);
  });

  it('a write that ends any way (404, 405, 400, unknown method) leaves no ticket behind to age', async () => {
    let now = 0;
    const running = await startInProcess({
      admission: { maxPending: 4, maxWaitMs: 100 },
      clock: () => now,
    });
    authority = running;
    const { token } = await issueSession(running);
    const hostile = [
      { method: 'PROPFIND', url: '/auth/nowhere' },
      { method: 'POST', url: '/auth/sessions/whoami' },
      { method: 'DELETE', url: '/auth/self-service/logout/api', payload: '{not json' },
      { method: 'PATCH', url: '/admin/sessions/x/extend' },
      { method: 'TRACE', url: '*' },
    ] as const;
    for (const request of hostile) {
      const answer = await running.publicApp.inject({
        ...request,
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.statusCode, `${request.method} ${request.url}`).toBeLessThan(500);
    }
    now = 10_000;
    const answer = await running.publicApp.inject({
      method: 'DELETE',
      url: '/auth/self-service/logout/api',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ session_token: token }),
    });
    expect(answer.statusCode).toBe(204);
  });
});
