import { decodeRecords, encodeEnvelope } from '@session-authority/events';
import type { AuditHistoryRow } from '@session-authority/read-model';
import type { PositionedInput } from '@session-authority/sessions';

/**
 * A session's audit rows as the projector's inputs, decoded as the projector decodes a record:
 * a quarantined record revokes at its quarantine time, an event is read again from its type and
 * data, a record of a type nobody knows is skipped. Rows are trusted only where a checkpoint
 * vouches for them (verified then, not written since).
 */
export function inputsOfHistory(rows: readonly AuditHistoryRow[]): PositionedInput[] {
  const inputs: PositionedInput[] = [];
  for (const row of rows) {
    if (row.quarantinedAt !== null) {
      inputs.push({
        offset: row.offset,
        quarantine: { sessionId: row.sessionId, at: row.quarantinedAt },
      });
      continue;
    }
    if (row.problem !== null || row.type === null) continue;
    const record = encodeEnvelope({
      id: row.eventId ?? '',
      source: row.source ?? '',
      type: row.type,
      time: row.at.toISOString(),
      subject: row.sessionId,
      data: row.data,
    });
    const [event] = decodeRecords([{ offset: row.offset, record, timestamp: row.at }]).events;
    if (event !== undefined) inputs.push(event);
  }
  return inputs;
}
