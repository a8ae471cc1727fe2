import { randomUUID } from 'node:crypto';
import { decodeRecords } from '@session-authority/events';
import type { InjectOptions } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorGenericBody } from '@session-authority/testkit';
import {
  ADMIN_KEY,
  appendedEnvelopes,
  startInProcess,
  type InProcessAuthority,
} from './support/in-process.js';

let authority: InProcessAuthority;
beforeAll(async () => {
  authority = await startInProcess();
});
afterAll(async () => {
  await authority.close();
});

const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

// Durations across the whole input space: well-formed ones with any amounts (year 10000 and
// past the largest Date included), and strings that only look like durations.
const duration = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.nat(100), fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 15n })),
        fc.constantFrom('h', 'm', 's'),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((parts) => parts.map(([amount, unit]) => `${amount}${unit}`).join('')),
  fc.constantFrom('69900000h', '2400000000h', '8760h', '8761h', '1s', '0s', '-1h', '1d', ''),
  fc.string(),
);
const json = fc.jsonValue({ maxDepth: 3 });
const token = fc.oneof(
  fc.constant(`ory_st_${'a'.repeat(32)}`),
  fc.stringMatching(/^ory_st_[A-Za-z0-9]{28,36}$/),
  fc.string(),
  json,
);
const id = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constant(randomUUID()));

const request: fc.Arbitrary<{ port: 'public' | 'admin'; request: InjectOptions }> = fc.oneof(
  fc.record({ expires_in: fc.oneof(duration, json) }, { requiredKeys: [] }).chain((body) =>
    id.map((identity) => ({
      port: 'admin' as const,
      request: {
        method: 'POST' as const,
        url: `/admin/identities/${encodeURIComponent(identity)}/sessions`,
        headers: admin,
        payload: JSON.stringify(body),
      },
    })),
  ),
  id.map((session) => ({
    port: 'admin' as const,
    request: {
      method: 'DELETE' as const,
      url: `/admin/sessions/${encodeURIComponent(session)}`,
      headers: { authorization: admin.authorization },
    },
  })),
  id.map((identity) => ({
    port: 'admin' as const,
    request: {
      method: 'DELETE' as const,
      url: `/admin/identities/${encodeURIComponent(identity)}/sessions`,
      headers: { authorization: admin.authorization },
    },
  })),
  fc
    .oneof(
      token.map((t) => ({ session_token: t })),
      json,
    )
    .map((body) => ({
      port: 'public' as const,
      request: {
        method: 'DELETE' as const,
        url: '/auth/self-service/logout/api',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      },
    })),
);

describe('the API never appends what the projector would reject', () => {
  it('across every route input space: no 5xx, every error errorGeneric, every appended record decodes', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ port, request: req }) => {
        const app = port === 'admin' ? authority.adminApp : authority.publicApp;
        const response = await app.inject(req);
        expect(response.statusCode, response.body).toBeLessThan(500);
        if (response.statusCode >= 400) errorGenericBody.parse(response.json());
      }),
      { numRuns: 400, seed: 20261202 },
    );
    for (let partition = 0; partition < authority.log.partitionCount; partition++) {
      const decoded = decodeRecords(authority.log.records(partition));
      expect(decoded.halt).toBeUndefined();
      expect(decoded.quarantined).toEqual([]);
    }
    expect(authority.rejectedRecords()).toEqual([]);
  });

  it.each(['69900000h', '2400000000h', '8761h'])(
    'expires_in %s is a 400 that names the maximum, and appends nothing',
    async (expiresIn) => {
      const before = appendedEnvelopes(authority.log).length;
      const response = await authority.adminApp.inject({
        method: 'POST',
        url: `/admin/identities/${randomUUID()}/sessions`,
        headers: admin,
        payload: JSON.stringify({ expires_in: expiresIn }),
      });
      expect(response.statusCode).toBe(400);
      expect(errorGenericBody.parse(response.json()).error.reason).toMatch(/8760h|positive/);
      expect(appendedEnvelopes(authority.log)).toHaveLength(before);
    },
  );
});
