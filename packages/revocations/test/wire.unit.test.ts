import { randomUUID } from 'node:crypto';
import {
  encodeEnvelope,
  feedEntriesOf,
  SESSION_ISSUED_V2,
  SESSION_REVOKED_V1,
  SESSION_REVOKED_V2,
  type EventEnvelope,
  type SessionEvent,
} from '@session-authority/events';
import { describe, expect, it } from 'vitest';
import {
  FEED_CHECKPOINT_KEY,
  parsePositionHeader,
  readFeedRecord,
  revocationOfLogRecord,
} from '../src/wire.js';

const sessionId = randomUUID();
const expiresAt = '2030-01-01T00:00:00.000Z';
const revokedData = {
  session_id: sessionId,
  identity_id: randomUUID(),
  token_sha256: 'a'.repeat(64),
  revoked_at: '2026-12-02T10:00:00.000Z',
  session_expires_at: expiresAt,
  reason: 'logout',
  actor: { type: 'session', id: sessionId },
  request_id: 'r-1',
} as const;

function envelope(type: string, data: unknown): EventEnvelope {
  return {
    id: randomUUID(),
    source: 'urn:test',
    type,
    time: revokedData.revoked_at,
    subject: sessionId,
    data,
  };
}

// The contract: the client reads what the authority's own encoders write.
describe('reading the log as the authority writes it', () => {
  it('takes a revocation of either version with its expiry and position', () => {
    for (const type of [SESSION_REVOKED_V1, SESSION_REVOKED_V2]) {
      const revocation = revocationOfLogRecord(3, 17n, encodeEnvelope(envelope(type, revokedData)));
      expect(revocation).toEqual({
        sessionId,
        identityId: revokedData.identity_id,
        revokedAt: revokedData.revoked_at,
        expiresAtMs: Date.parse(expiresAt),
        reason: 'logout',
        partition: 3,
        offset: 17n,
      });
    }
  });

  it('skips issued and extended records without reading their bodies', () => {
    for (const type of [SESSION_ISSUED_V2, 'session.issued.v1', 'session.extended.v1']) {
      const record = { ...encodeEnvelope(envelope(type, {})), value: Buffer.from('not json') };
      expect(revocationOfLogRecord(0, 0n, record)).toBeUndefined();
    }
  });

  it('revokes, with no known expiry, a session whose record it cannot read (as the projector does)', () => {
    const unreadable = [
      { ...encodeEnvelope(envelope(SESSION_REVOKED_V2, revokedData)), value: Buffer.from('{') },
      encodeEnvelope(envelope(SESSION_REVOKED_V2, { ...revokedData, session_id: randomUUID() })),
      { ...encodeEnvelope(envelope(SESSION_REVOKED_V2, revokedData)), headers: {} },
    ];
    for (const record of unreadable)
      expect(revocationOfLogRecord(0, 1n, record)).toMatchObject({
        sessionId,
        expiresAtMs: undefined,
        reason: 'quarantined',
      });
  });

  it('skips a type added later, and a record keyed by no session', () => {
    expect(
      revocationOfLogRecord(0, 0n, encodeEnvelope(envelope('session.renamed.v1', {}))),
    ).toBeUndefined();
    const noKey = { ...encodeEnvelope(envelope(SESSION_REVOKED_V2, revokedData)), key: null };
    expect(revocationOfLogRecord(0, 0n, noKey)).toBeUndefined();
  });
});

describe('reading the feed as the projector writes it', () => {
  it('reads its revocations and its checkpoint', () => {
    const event = envelope(SESSION_REVOKED_V2, revokedData) as SessionEvent;
    const entries = feedEntriesOf(2, [{ offset: 40n, event }], [], 41n);
    const records = entries.map(({ key, value }) =>
      readFeedRecord({ key: Buffer.from(key), value: Buffer.from(value) }),
    );
    expect(records).toEqual([
      { kind: 'revoked', sessionId, expiresAtMs: Date.parse(expiresAt) },
      { kind: 'checkpoint', next: 41n },
    ]);
    expect(entries.at(-1)?.key).toBe(FEED_CHECKPOINT_KEY);
  });

  it('reads a quarantined revocation as one with no known expiry, and a tombstone as one', () => {
    const quarantined = { offset: 5n, sessionId, type: undefined, problem: 'x', at: new Date() };
    const [entry] = feedEntriesOf(0, [], [quarantined], 6n);
    expect(
      readFeedRecord({
        key: Buffer.from(entry?.key ?? ''),
        value: Buffer.from(entry?.value ?? ''),
      }),
    ).toEqual({
      kind: 'revoked',
      sessionId,
      expiresAtMs: undefined,
    });
    expect(readFeedRecord({ key: Buffer.from(sessionId), value: null })).toEqual({
      kind: 'tombstone',
      sessionId,
    });
    expect(readFeedRecord({ key: Buffer.from('junk'), value: Buffer.from('{}') })).toEqual({
      kind: 'unreadable',
    });
  });

  it('reads a value written otherwise by parsing it, and one it cannot read as a revocation with no known expiry', () => {
    const read = (value: string) =>
      readFeedRecord({ key: Buffer.from(sessionId), value: Buffer.from(value) });
    const expiresAt = '2031-01-02T03:04:05.678Z';
    expect(read(`{ "reason": "admin", "expires_at" : "${expiresAt}" }`)).toEqual({
      kind: 'revoked',
      sessionId,
      expiresAtMs: Date.parse(expiresAt),
    });
    for (const unreadable of ['not json', '{"expires_at":"soon"}', '{"expires_at":7}', '[]'])
      expect(read(unreadable)).toEqual({ kind: 'revoked', sessionId, expiresAtMs: undefined });
  });

  it('reads an expiry from its digits to the same instant Date.parse gives, or to none as it does', () => {
    const texts = [
      '2031-02-31T00:00:00.000Z',
      '2031-13-01T00:00:00.000Z',
      '2031-01-01T24:00:00.000Z',
      '2031-01-01T23:59:60.000Z',
      '0050-01-01T00:00:00.000Z',
      '2031-1x-01T00:00:00.000Z',
      '2031-01-01T00:00:00Z',
      '2031-01-01T00:00:00.000+01:00',
      ...Array.from({ length: 200 }, (_, i) =>
        new Date(
          Date.UTC(1970 + ((i * 37) % 400), i % 12, 1 + (i % 31), i % 24, i % 60, (i * 7) % 60, i),
        ).toISOString(),
      ),
    ];
    for (const text of texts) {
      const parsed = Date.parse(text);
      const value = Buffer.from(`{"reason":"logout","expires_at":"${text}","source":{}}`);
      expect(readFeedRecord({ key: Buffer.from(sessionId), value }), text).toEqual({
        kind: 'revoked',
        sessionId,
        expiresAtMs: Number.isFinite(parsed) ? parsed : undefined,
      });
    }
  });
});

describe('the Session-Log-Position header', () => {
  it('keeps the highest offset of each partition and refuses anything else', () => {
    expect(parsePositionHeader('0:5, 3:7,0:2')).toEqual(
      new Map([
        [0, 5n],
        [3, 7n],
      ]),
    );
    for (const bad of ['', '0', '0:', 'a:1', '0:1;1:2', '-1:3', '0:99999999999999999999'])
      expect(parsePositionHeader(bad)).toBeUndefined();
  });
});
