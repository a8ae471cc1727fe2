import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorGeneric } from './support/expect-error.js';
import { startInProcess, type InProcessAuthority } from './support/in-process.js';

const UNKNOWN = JSON.stringify({ session_token: `ory_st_${'Z'.repeat(32)}` });
let behindOneProxy: InProcessAuthority;

beforeAll(async () => {
  behindOneProxy = await startInProcess({ trustProxy: 1, forbiddenLimit: 3 });
});
afterAll(async () => {
  await behindOneProxy.close();
});

/** A logout as the load balancer forwards it: the client's header, then the address it saw. */
const forwarded = (spoofed: string, client: string) =>
  behindOneProxy.publicApp.inject({
    method: 'DELETE',
    url: '/auth/self-service/logout/api',
    remoteAddress: '10.0.0.2',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `${spoofed}, ${client}` },
    payload: UNKNOWN,
  });

describe('TRUST_PROXY with one trusted hop', () => {
  it('a spoofed X-Forwarded-For does not dodge the 403 limit', async () => {
    for (const spoofed of ['1.1.1.1', '2.2.2.2', '3.3.3.3'])
      expectErrorGeneric(await forwarded(spoofed, '203.0.113.7'), 403);
    const limited = await forwarded('4.4.4.4', '203.0.113.7');
    expectErrorGeneric(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client behind the same proxy is not limited.
    expectErrorGeneric(await forwarded('4.4.4.4', '198.51.100.9'), 403);
  });
});
