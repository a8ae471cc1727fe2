import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventRegistry,
  decodeSessionEvent,
  encodeEnvelope,
  exportJsonSchemas,
  feedEntriesOf,
  FEED_CHECKPOINT_KEY,
  readEnvelope,
  sessionEventRegistry,
  sessionIssuedV1Schema,
  sessionRevokedV1Schema,
  sessionRevokedV2Schema,
  type EventEnvelope,
} from '@session-authority/events';

const revoked = {
  session_id: '5b2f6f0e-8a8e-4c47-9b0e-2f8d7c2b1a10',
  identity_id: '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c',
  token_sha256: 'b'.repeat(64),
  revoked_at: '2026-11-24T12:00:00.000Z',
  session_expires_at: '2026-11-25T12:00:00.000Z',
  reason: 'logout',
  actor: { type: 'identity', id: '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c' },
  request_id: 'req-1',
};
const issued = {
  session_id: revoked.session_id,
  identity_id: revoked.identity_id,
  token_sha256: revoked.token_sha256,
  issued_at: '2026-11-24T11:00:00.000Z',
  authenticated_at: '2026-11-24T11:00:00.000Z',
  expires_at: '2026-11-25T12:00:00.000Z',
  actor: { type: 'admin', id: 'key' },
  request_id: 'req-0',
};
const envelope = (type: string, data: unknown): EventEnvelope => ({
  id: 'c3b1a0e2-1111-4a2b-9c3d-4e5f6a7b8c9d',
  source: 'urn:session-authority:auth-api:test',
  type,
  time: '2026-11-24T12:00:00.000Z',
  subject: revoked.session_id,
  data,
});

describe('event schemas', () => {
  it('accept valid data of each version', () => {
    expect(sessionRevokedV1Schema.parse(revoked)).toEqual(revoked);
    expect(sessionIssuedV1Schema.parse(issued)).toEqual(issued);
  });

  it.each([
    ['a token instead of its digest', { token_sha256: 'ory_st_' + 'a'.repeat(32) }],
    ['an unknown reason', { reason: 'bored' }],
    ['a bad actor type', { actor: { type: 'robot', id: 'x' } }],
    ['a non-uuid session id', { session_id: '42' }],
    ['a time without zone', { revoked_at: '2026-11-24 12:00' }],
  ])('reject %s', (_what, change) => {
    expect(sessionRevokedV1Schema.safeParse({ ...revoked, ...change }).success).toBe(false);
  });

  it('reject missing fields', () => {
    const { request_id: _dropped, ...incomplete } = revoked;
    expect(sessionRevokedV1Schema.safeParse(incomplete).success).toBe(false);
  });
});

describe('CloudEvents binary mode', () => {
  it('puts the attributes in headers, the session id in the key and the data in the value', () => {
    const record = encodeEnvelope(envelope('session.revoked.v1', revoked));
    expect(record.key?.toString()).toBe(revoked.session_id);
    expect(JSON.parse(record.value?.toString() ?? '')).toEqual(revoked);
    expect(record.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'session.revoked.v1',
      ce_subject: revoked.session_id,
      'content-type': 'application/json',
    });
  });

  it('round-trips through Kafka-style Buffer headers', () => {
    const record = encodeEnvelope(envelope('session.revoked.v1', revoked));
    const asBuffers = Object.fromEntries(
      Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(String(v))]),
    );
    const read = readEnvelope({ ...record, headers: asBuffers });
    expect(read.ok && decodeSessionEvent(read.envelope)).toEqual({
      kind: 'event',
      event: envelope('session.revoked.v2', revoked),
    });
  });

  it.each([
    ['no spec version', { ce_specversion: undefined }],
    ['no type', { ce_type: undefined }],
    ['another content type', { 'content-type': 'text/plain' }],
  ])('reports an envelope with %s', (_what, change) => {
    const record = encodeEnvelope(envelope('session.revoked.v1', revoked));
    expect(readEnvelope({ ...record, headers: { ...record.headers, ...change } }).ok).toBe(false);
  });

  it('reports a value that is not JSON', () => {
    const record = encodeEnvelope(envelope('session.revoked.v1', revoked));
    expect(readEnvelope({ ...record, value: Buffer.from('{nope') })).toEqual({
      ok: false,
      problem: 'the value is not JSON',
    });
  });
});

describe('the registry', () => {
  it('tells unknown types from invalid data', () => {
    expect(decodeSessionEvent(envelope('session.renamed.v1', {}))).toEqual({
      kind: 'unknown-type',
      type: 'session.renamed.v1',
    });
    expect(decodeSessionEvent(envelope('session.revoked.v1', { ...revoked, reason: 7 })).kind).toBe(
      'invalid',
    );
  });

  it('upcasts an old version through every step to the newest', () => {
    const v1 = z.object({ name: z.string() });
    const v2 = z.object({ first: z.string(), last: z.string() });
    const v3 = z.object({ first: z.string(), last: z.string(), locale: z.string() });
    const registry = createEventRegistry(
      [
        { type: 'thing.v1', schema: v1 },
        { type: 'thing.v2', schema: v2 },
        { type: 'thing.v3', schema: v3 },
      ],
      [
        {
          from: 'thing.v1',
          to: 'thing.v2',
          upcast: (d) => {
            const [first = '', last = ''] = v1.parse(d).name.split(' ');
            return { first, last };
          },
        },
        { from: 'thing.v2', to: 'thing.v3', upcast: (d) => ({ ...v2.parse(d), locale: 'en' }) },
      ],
    );
    const result = registry.decode(envelope('thing.v1', { name: 'Ada Lovelace' }));
    expect(result.kind === 'event' && [result.envelope.type, result.envelope.data]).toEqual([
      'thing.v3',
      { first: 'Ada', last: 'Lovelace', locale: 'en' },
    ]);
    expect(registry.decode(envelope('thing.v1', { name: 3 })).kind).toBe('invalid');
  });

  it('reads session.issued.v1 as v2 with Kratos defaults, and session.revoked.v1 as v2', () => {
    expect(decodeSessionEvent(envelope('session.issued.v1', issued))).toEqual({
      kind: 'event',
      event: envelope('session.issued.v2', {
        ...issued,
        authenticator_assurance_level: 'aal1',
        authentication_methods: [],
        devices: [],
      }),
    });
    const read = decodeSessionEvent(envelope('session.revoked.v1', revoked));
    expect(read.kind === 'event' && [read.event.type, read.event.data]).toEqual([
      'session.revoked.v2',
      revoked,
    ]);
  });

  it('keeps v1 as published: its schemas reject the values only v2 has', () => {
    expect(
      sessionRevokedV1Schema.safeParse({ ...revoked, reason: 'self_service_other' }).success,
    ).toBe(false);
    expect(
      sessionRevokedV2Schema.safeParse({ ...revoked, reason: 'self_service_other' }).success,
    ).toBe(true);
    const withDevices = { ...issued, authenticator_assurance_level: 'aal2', devices: [] };
    expect(sessionIssuedV1Schema.safeParse(withDevices).data).toEqual(issued);
    expect(exportJsonSchemas(sessionEventRegistry)['session.issued.v1']).toMatchObject({
      additionalProperties: false,
    });
  });

  it('refuses an upcaster to an unregistered version', () => {
    expect(() =>
      createEventRegistry(
        [{ type: 'a.v1', schema: z.object({}) }],
        [{ from: 'a.v1', to: 'a.v2', upcast: (d) => d }],
      ),
    ).toThrow(/unregistered/);
  });
});

describe('JSON Schema export', () => {
  it('the committed files are what the schemas generate now', () => {
    for (const [type, schema] of Object.entries(exportJsonSchemas(sessionEventRegistry))) {
      const committed = readFileSync(
        new URL(`../json-schema/${type}.json`, import.meta.url),
        'utf8',
      );
      expect(
        JSON.parse(committed),
        `${type}: run npm run -w @session-authority/events export-json-schema`,
      ).toEqual(schema);
    }
  });
});

describe('the revocation feed', () => {
  it('has each revocation of a batch, a quarantine as one, then the checkpoint', () => {
    const decoded = decodeSessionEvent(envelope('session.revoked.v1', revoked));
    if (decoded.kind !== 'event') throw new Error('valid');
    const issuedEvent = decodeSessionEvent(envelope('session.issued.v1', issued));
    if (issuedEvent.kind !== 'event') throw new Error('valid');
    const other = '6c3f7f1e-9b9e-4d58-8c1f-3f9e8d3c2b21';
    const at = new Date('2026-11-24T13:00:00.000Z');
    const entries = feedEntriesOf(
      3,
      [
        { offset: 10n, event: issuedEvent.event },
        { offset: 11n, event: decoded.event },
      ],
      [{ offset: 12n, sessionId: other, type: 'session.issued.v2', problem: 'x', at }],
      13n,
    );
    expect(entries.map((e): [string, unknown] => [e.key, JSON.parse(e.value)])).toEqual([
      [
        revoked.session_id,
        {
          session_id: revoked.session_id,
          identity_id: revoked.identity_id,
          revoked_at: revoked.revoked_at,
          expires_at: revoked.session_expires_at,
          reason: 'logout',
          source: { partition: 3, offset: '11' },
        },
      ],
      [
        other,
        {
          session_id: other,
          identity_id: null,
          revoked_at: at.toISOString(),
          expires_at: null,
          reason: 'quarantined',
          source: { partition: 3, offset: '12' },
        },
      ],
      [FEED_CHECKPOINT_KEY, { next: '13' }],
    ]);
  });
});
