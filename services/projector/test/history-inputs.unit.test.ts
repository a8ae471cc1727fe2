import type { AuditHistoryRow } from '@session-authority/read-model';
import { foldSessions } from '@session-authority/sessions';
import { A, issued, issuedV1, revoked } from '@session-authority/testkit';
import { describe, expect, it } from 'vitest';
import { inputsOfHistory } from '../src/audit/history-inputs.js';

/** An audit row as the audit projection stores an event: its type, time and data. */
function rowOf(offset: bigint, event: { type: string; time: string; data: unknown }) {
  return {
    partition: 3,
    offset,
    sessionId: A,
    eventId: `event-${offset}`,
    type: event.type,
    source: 'urn:test',
    at: new Date(event.time),
    // jsonb gives the data back parsed, its keys in another order.
    data: JSON.parse(JSON.stringify(event.data)) as unknown,
    problem: null,
    quarantinedAt: null,
  } satisfies AuditHistoryRow;
}

describe('a session folded again from its audit rows', () => {
  it('reads v1 and v2 rows as the projector read their records, and skips unknown types', () => {
    const revocation = revoked(A, '2026-11-24T12:00:00.000Z', 'logout').event;
    const rows = [
      rowOf(1n, issuedV1(A).event),
      rowOf(2n, { type: 'session.unheard-of.v9', time: revocation.time, data: {} }),
      rowOf(3n, revocation),
    ];
    const inputs = inputsOfHistory(rows);
    expect(inputs.map((i) => i.offset)).toEqual([1n, 3n]);
    const expected = foldSessions([issuedV1(A), revoked(A, '2026-11-24T12:00:00.000Z', 'logout')]);
    expect(foldSessions(inputs)).toEqual(expected);
  });

  it('a quarantined record revokes at its quarantine time; an unreadable one without it is not an input', () => {
    const quarantinedAt = new Date('2026-11-24T13:00:00.000Z');
    const rows: AuditHistoryRow[] = [
      rowOf(1n, issued(A).event),
      { ...rowOf(2n, issued(A).event), problem: 'bad', quarantinedAt },
      { ...rowOf(3n, issued(A).event), problem: 'bad' },
    ];
    const inputs = inputsOfHistory(rows);
    expect(inputs).toHaveLength(2);
    expect(foldSessions(inputs).get(A)).toMatchObject({
      revokedAt: quarantinedAt,
      revokeReason: 'quarantined',
    });
  });
});
