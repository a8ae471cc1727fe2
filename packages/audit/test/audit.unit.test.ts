import { createHash } from 'node:crypto';
import {
  CHAIN_START,
  chainNext,
  firstChainDifference,
  recordSha256,
  sessionDifferences,
  validAt,
  type LoggedRecord,
  type SessionRecord,
  type StoredAuditRow,
} from '@session-authority/audit';
import type { SessionState } from '@session-authority/sessions';
import { describe, expect, it } from 'vitest';

const record = (value: string, headers: Record<string, string> = { ce_type: 'x' }) => ({
  key: Buffer.from('5b2f6f0e-8a8e-4c47-9b0e-2f8d7c2b1a10'),
  value: Buffer.from(value),
  headers,
});

describe('the record digest', () => {
  it('covers partition, offset, key, every header and the value', () => {
    const base = recordSha256(0, 5n, record('{}'));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(recordSha256(0, 5n, record('{}'))).toBe(base);
    expect(recordSha256(1, 5n, record('{}'))).not.toBe(base);
    expect(recordSha256(0, 6n, record('{}'))).not.toBe(base);
    expect(recordSha256(0, 5n, record('{ }'))).not.toBe(base);
    expect(recordSha256(0, 5n, record('{}', { ce_type: 'y' }))).not.toBe(base);
    expect(recordSha256(0, 5n, { ...record('{}'), key: null })).not.toBe(base);
    expect(recordSha256(0, 5n, { ...record('{}'), value: null })).not.toBe(base);
  });

  it('does not depend on the order headers arrive in, nor on Buffer or string', () => {
    const a = recordSha256(2, 9n, record('v', { a: '1', b: '2' }));
    const b = recordSha256(2, 9n, { ...record('v'), headers: { b: Buffer.from('2'), a: '1' } });
    expect(a).toBe(b);
  });

  it('hashes every header of a record whose names join like those of records before it', () => {
    // Lists of names are sorted once and remembered: names holding a NUL must not borrow one.
    const joined = { a: '1', b: '2' };
    const first = recordSha256(0, 0n, record('v', joined));
    const withNul = recordSha256(0, 0n, record('v', { 'a\u0000b': '1' }));
    expect(withNul).not.toBe(recordSha256(0, 0n, record('v', {})));
    expect(withNul).not.toBe(first);
    expect(recordSha256(0, 0n, record('v', joined))).toBe(first);
  });

  it('cannot be fooled by moving bytes between fields (every field is length-prefixed)', () => {
    const one = recordSha256(0, 0n, record('v', { ab: 'c' }));
    const other = recordSha256(0, 0n, record('v', { a: 'bc' }));
    expect(one).not.toBe(other);
  });

  it('chains as SHA-256(previous head ‖ record), from 32 zero bytes', () => {
    const digest = 'ab'.repeat(32);
    const expected = createHash('sha256')
      .update(Buffer.alloc(32))
      .update(Buffer.from(digest, 'hex'))
      .digest('hex');
    expect(chainNext(CHAIN_START, digest)).toBe(expected);
  });
});

/** A partition of n records and the rows a correct audit projection holds for it. */
function partitionOf(n: number): { logged: LoggedRecord[]; stored: StoredAuditRow[] } {
  const logged = Array.from({ length: n }, (_, i) => ({
    offset: BigInt(i),
    recordSha256: recordSha256(0, BigInt(i), record(`{"n":${i}}`)),
    eventId: `event-${i}`,
  }));
  let chain = CHAIN_START;
  const stored = logged.map((r) => {
    chain = chainNext(chain, r.recordSha256);
    return { ...r, chainSha256: chain } satisfies StoredAuditRow;
  });
  return { logged, stored };
}

describe('chain verification', () => {
  it('finds nothing when the rows are the log', () => {
    const { logged, stored } = partitionOf(5);
    expect(firstChainDifference(0, logged, stored)).toBeUndefined();
  });

  it.each([
    [
      'an altered row',
      (rows: StoredAuditRow[]) => {
        rows[2] = { ...rows[2], recordSha256: 'f'.repeat(64) } as StoredAuditRow;
      },
      2n,
      'altered',
    ],
    ['a missing row', (rows: StoredAuditRow[]) => rows.splice(3, 1), 3n, 'missing'],
    [
      'a chain value rewritten',
      (rows: StoredAuditRow[]) => {
        rows[4] = { ...rows[4], chainSha256: '0'.repeat(64) } as StoredAuditRow;
      },
      4n,
      'chain-broken',
    ],
    [
      'a row past the log',
      (rows: StoredAuditRow[]) =>
        rows.push({
          offset: 5n,
          recordSha256: 'a'.repeat(64),
          chainSha256: 'b'.repeat(64),
          eventId: 'event-5',
        }),
      5n,
      'extra',
    ],
  ] as const)('reports %s at its offset', (_name, tamper, offset, kind) => {
    const { logged, stored } = partitionOf(5);
    tamper(stored);
    expect(firstChainDifference(0, logged, stored)).toMatchObject({ partition: 0, offset, kind });
  });
});

const session = (id: string, revokedAt: Date | null = null): SessionState => ({
  id,
  identityId: '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c',
  tokenSha256: 'a'.repeat(64),
  issuedAt: new Date('2026-12-01T00:00:00Z'),
  authenticatedAt: new Date('2026-12-01T00:00:00Z'),
  expiresAt: new Date('2026-12-02T00:00:00Z'),
  authenticatorAssuranceLevel: 'aal1',
  authenticationMethods: [],
  devices: [],
  revokedAt,
  revokeReason: revokedAt === null ? null : 'logout',
});

describe('chain verification of a rewritten log', () => {
  /** The log as it is now: records re-appended in another order, or with one left out. */
  const rewritten = (order: readonly number[]) =>
    order.map((original, offset) => ({
      offset: BigInt(offset),
      recordSha256: recordSha256(0, BigInt(offset), record(`{"n":${original}}`)),
      eventId: `event-${original}`,
    }));

  it('names a record the log lost (the rest moved up one offset)', () => {
    const { stored } = partitionOf(5);
    expect(firstChainDifference(0, rewritten([0, 1, 3, 4]), stored)).toMatchObject({
      offset: 2n,
      kind: 'missing',
      detail: 'the log no longer has event event-2, which audit_events holds here',
    });
  });

  it('names two records swapped in the log', () => {
    const { stored } = partitionOf(5);
    expect(firstChainDifference(0, rewritten([0, 2, 1, 3, 4]), stored)).toMatchObject({
      offset: 1n,
      kind: 'reordered',
      detail: 'event event-1 is at offset 2 of the log',
    });
  });
});

describe('sessions verification', () => {
  it('reports a revocation reset, an orphan row and a missing session', () => {
    const revoked = session('a', new Date('2026-12-01T12:00:00Z'));
    const folded = new Map([
      ['a', revoked],
      ['b', session('b')],
    ]);
    const stored = [
      { id: 'a', revokedAt: null, revokeReason: null, expiresAt: revoked.expiresAt },
      { id: 'z', revokedAt: null, revokeReason: null, expiresAt: revoked.expiresAt },
    ];
    expect(sessionDifferences(folded, stored).map((d) => [d.sessionId, d.kind])).toEqual([
      ['a', 'differs'],
      ['a', 'differs'],
      ['z', 'orphan'],
      ['b', 'missing'],
    ]);
  });

  it('compares instants, not Date objects, and writes out only what differs', () => {
    const kept = session('a', new Date('2026-12-01T12:00:00Z'));
    const folded = new Map([['a', kept]]);
    const row = {
      id: 'a',
      revokedAt: new Date(kept.revokedAt?.getTime() ?? 0),
      revokeReason: kept.revokeReason,
      expiresAt: new Date(kept.expiresAt.getTime()),
    };
    expect(sessionDifferences(folded, [row])).toEqual([]);
    const later = new Date(kept.expiresAt.getTime() + 1);
    expect(sessionDifferences(folded, [{ ...row, expiresAt: later }])).toEqual([
      {
        sessionId: 'a',
        kind: 'differs',
        detail: `expires_at is ${later.toISOString()}; the log says ${kept.expiresAt.toISOString()}`,
      },
    ]);
  });
});

describe('valid at an instant', () => {
  const id = '5b2f6f0e-8a8e-4c47-9b0e-2f8d7c2b1a10';
  const actor = { type: 'admin', id: 'key' };
  const issued: SessionRecord = {
    type: 'session.issued.v1',
    at: new Date('2026-12-01T00:00:00Z'),
    eventId: 'e1',
    source: 'urn:test',
    problem: null,
    data: {
      session_id: id,
      identity_id: '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c',
      token_sha256: 'a'.repeat(64),
      issued_at: '2026-12-01T00:00:00.000Z',
      authenticated_at: '2026-12-01T00:00:00.000Z',
      expires_at: '2026-12-01T10:00:00.000Z',
      actor,
      request_id: 'r1',
    },
  };
  const extended: SessionRecord = {
    ...issued,
    type: 'session.extended.v1',
    at: new Date('2026-12-01T09:00:00Z'),
    data: {
      session_id: id,
      identity_id: '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c',
      extended_at: '2026-12-01T09:00:00.000Z',
      previous_expires_at: '2026-12-01T10:00:00.000Z',
      expires_at: '2026-12-01T20:00:00.000Z',
      actor,
      request_id: 'r2',
    },
  };
  const revoked: SessionRecord = {
    ...issued,
    type: 'session.revoked.v2',
    at: new Date('2026-12-01T15:00:00Z'),
    data: {
      session_id: id,
      identity_id: '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c',
      token_sha256: 'a'.repeat(64),
      revoked_at: '2026-12-01T15:00:00.000Z',
      session_expires_at: '2026-12-01T20:00:00.000Z',
      reason: 'self_service_one',
      actor: { type: 'identity', id: '0c8f3c44-1b9a-4c9b-8f57-2d3e4f5a6b7c' },
      request_id: 'r3',
    },
  };
  const trail = [issued, extended, revoked];
  const at = (time: string) => validAt(id, trail, new Date(time));

  it.each([
    ['before its issuance', '2026-11-30T00:00:00Z', false, /no issuance/],
    ['after issuance', '2026-12-01T05:00:00Z', true, /issued by admin key/],
    [
      'after the first expiry, extended before it',
      '2026-12-01T12:00:00Z',
      true,
      /extended by admin key/,
    ],
    [
      'after its revocation',
      '2026-12-01T16:00:00Z',
      false,
      /revoked by identity .* self_service_one/,
    ],
  ])('%s', (_name, time, valid, why) => {
    const answer = at(time);
    expect(answer.valid).toBe(valid);
    expect(answer.because.join('\n')).toMatch(why);
  });

  it('says when an unextended session expired', () => {
    const answer = validAt(id, [issued], new Date('2026-12-01T12:00:00Z'));
    expect(answer.valid).toBe(false);
    expect(answer.because.at(-1)).toBe('2026-12-01T10:00:00.000Z: expired');
  });
});
