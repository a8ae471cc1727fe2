import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { errorGenericBody, issueSession } from '../support/http.js';
import { rawExchange, type RawAnswer } from '../support/raw-exchange.js';
import { ADMIN_KEY, type RunningService } from '../support/service-process.js';
import { recordFigures } from '../support/figures.js';

const REQUESTS = 4000;
const SEED = 20261202;
const IN_FLIGHT = 8;

let cluster: Cluster;
let api: RunningService;
let liveToken = '';

beforeAll(async () => {
  cluster = await startCluster({
    replicas: 1,
    extra: { LOGOUT_FORBIDDEN_LIMIT: '100000', LOG_LEVEL: 'warn' },
  });
  api = cluster.apis[0] as RunningService;
  liveToken = (await issueSession(api)).token;
});

afterAll(async () => {
  await cluster.stop();
});

/** mulberry32: the same seed makes the same requests. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const int = (max: number) => Math.floor(next() * max);
  return { next, pick, int };
}

const UUID = '5b2f6f0e-8a8e-4c47-9b0e-2f8d7c2b1a10';

function hostileRequest(r: ReturnType<typeof random>, port: 'public' | 'admin'): Buffer {
  const method = r.pick([
    'GET',
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'OPTIONS',
    'HEAD',
    'TRACE',
    'PROPFIND',
    'BREW',
    'G(T',
  ]);
  const paths =
    port === 'public'
      ? [
          '/auth/self-service/logout/api',
          '/auth/sessions/whoami',
          '/auth/sessions',
          `/auth/sessions/${UUID}`,
          '/auth/sessions?page_size=-1&page_token=%00',
          '/health/ready',
          '/metrics',
          '/openapi/public.json',
          '/auth',
          '/',
        ]
      : [
          `/admin/sessions/${UUID}`,
          `/admin/identities/${UUID}/sessions`,
          `/admin/identities/${UUID}/sessions?active=maybe&page_size=1e9`,
          '/admin/sessions',
          '/admin/sessions?active=%00&page_token=eA',
          `/admin/sessions/${UUID}/extend`,
          '/admin/audit/events?identity_id=x',
          `/admin/audit/events?session_id=${UUID}&since=x&page_token=%E0`,
          '/admin/audit/heads',
          '/admin/sessions/x',
          '/admin',
        ];
  const mutations = [
    (p: string) => p,
    (p: string) => `${p}/%ZZ`,
    (p: string) => `${p}%E0%A4%A`,
    (p: string) => `${p}/${'a'.repeat(r.int(400) + 90)}`,
    (p: string) => `${p}?session_token=ory_st_${'x'.repeat(32)}&a[b]=%00`,
    (p: string) => `/..${p}/../..//`,
    (p: string) => `${p}/\u00e9\u{1f600}`,
    (p: string) => `${p}#frag`,
    () => '*',
    () => `/${'%'.repeat(r.int(20))}`,
  ];
  const path = r.pick(mutations)(r.pick(paths));
  const bodies = [
    '',
    '{}',
    '{"session_token": ',
    '[]',
    'null',
    '"str"',
    '{"session_token": 42}',
    `{"session_token": "${liveToken}"}`,
    `{"session_token": "ory_st_${'Q'.repeat(32)}"}`,
    '{"expires_in": "69900000h"}',
    '{"expires_in": "2400000000h"}',
    '{"expires_in": 1e309}',
    '{"devices": [{"ip_address": "::ffff:300.1.1.1", "user_agent": ""}]}',
    '{"authentication_methods": {"method": 1}, "authenticator_assurance_level": "aal9"}',
    `{"devices": [${'{"user_agent": "x"},'.repeat(40)}{}]}`,
    '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
    '['.repeat(5000) + ']'.repeat(5000),
    '{"a":'.repeat(3000) + '1' + '}'.repeat(3000),
    'x'.repeat(r.int(20_000)),
    Buffer.from(Array.from({ length: 64 }, () => r.int(256))).toString('latin1'),
  ];
  const body = r.pick(bodies);
  const contentType = r.pick([
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16',
    '',
    undefined,
  ]);
  const headers: string[] =
    r.next() < 0.05 ? ['Connection: close'] : ['Host: 127.0.0.1', 'Connection: close'];
  if (contentType !== undefined) headers.push(`Content-Type: ${contentType}`);
  const framing = r.pick(['length', 'length', 'chunked', 'none', 'double']);
  if (framing === 'length') headers.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
  if (framing === 'double') headers.push('Content-Length: 1', 'Content-Length: 2');
  if (framing === 'chunked') headers.push('Transfer-Encoding: chunked');
  if (port === 'admin' && r.next() < 0.7) headers.push(`Authorization: Bearer ${ADMIN_KEY}`);
  const extras = [
    () =>
      `X-Request-ID: ${r.pick(['ok-1', `ory_st_${'a'.repeat(32)}`, 'x'.repeat(300), '<script>'])}`,
    () => `X-Session-Token: ${r.pick([liveToken, 'ory_st_short', ''])}`,
    () =>
      `Authorization: ${r.pick(['Bearer', 'Basic Zm9vOmJhcg==', `Bearer ${'a'.repeat(1000)}`])}`,
    () => `X-Forwarded-For: ${r.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1'])}`,
    () => `X-Big: ${'b'.repeat(r.int(40_000))}`,
    () => 'Bad Header Name: x',
    () => `Expect: 100-continue`,
  ];
  for (let i = r.int(3); i > 0; i--) headers.push(r.pick(extras)());
  const head = `${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`;
  const payload =
    framing === 'chunked'
      ? `${Buffer.byteLength(body, 'latin1').toString(16)}\r\n${body}\r\n0\r\n\r\n`
      : framing === 'none'
        ? ''
        : body;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(payload, 'latin1')]);
}

function violation(answer: RawAnswer, request: Buffer): string | undefined {
  const what = request.toString('latin1', 0, 120).split('\r\n')[0];
  if (answer.status === 0)
    return `no answer to ${JSON.stringify(request.toString('latin1').slice(0, 400))}`;
  if (answer.status >= 500) return `${answer.status} to ${what}: ${answer.body}`;
  if (answer.status < 400 || what?.startsWith('HEAD')) return undefined;
  try {
    const body = errorGenericBody.parse(JSON.parse(answer.body));
    if (body.error.code !== answer.status) return `code ${body.error.code} in a ${answer.status}`;
  } catch {
    return `${answer.status} without errorGeneric to ${what}: ${answer.body.slice(0, 200)}`;
  }
  return undefined;
}

describe('a seeded fuzz of hostile requests against both ports of a running replica', () => {
  it(`${REQUESTS} requests: no 5xx, every error errorGeneric, the process still serving`, async () => {
    const r = random(SEED);
    const requests = Array.from({ length: REQUESTS }, (_, i) => {
      const port = i % 2 === 0 ? ('public' as const) : ('admin' as const);
      return { port, bytes: hostileRequest(r, port) };
    });
    const histogram = new Map<number, number>();
    const violations: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < requests.length; i = next++) {
        const { port, bytes } = requests[i] as (typeof requests)[number];
        const answer = await rawExchange(port === 'public' ? api.port : api.adminPort, bytes);
        histogram.set(answer.status, (histogram.get(answer.status) ?? 0) + 1);
        const problem = violation(answer, bytes);
        if (problem !== undefined) violations.push(problem);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    recordFigures('fuzz', {
      requests: REQUESTS,
      seed: SEED,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      statuses: Object.fromEntries([...histogram].sort(([a], [b]) => a - b)),
      violations: violations.length,
    });
    expect(violations.slice(0, 10)).toEqual([]);
    expect(api.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${api.port}/health/ready`)).status).toBe(200);
  });
});
