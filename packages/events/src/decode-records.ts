import { decodeSessionEvent, readEnvelope, type SessionEvent } from '@session-authority/events';
import type { LogRecord } from '@session-authority/event-log';
import type { PositionedEvent } from '@session-authority/read-model';

export interface Poison {
  readonly offset: string;
  readonly problem: string;
}

export interface DecodedBatch {
  /** Events before the first poison record (all of them when there is none). */
  readonly events: PositionedEvent[];
  readonly unknownTypes: string[];
  /** One past the last record that may be applied. */
  readonly nextOffset: string | undefined;
  readonly poison: Poison | undefined;
}

/** Splits a batch at its first poison record: what precedes it is applied, the rest waits. */
export function decodeBatch(records: readonly LogRecord[]): DecodedBatch {
  const events: { offset: string; event: SessionEvent }[] = [];
  const unknownTypes: string[] = [];
  let nextOffset: string | undefined;
  for (const { offset, record } of records) {
    const envelope = readEnvelope(record);
    if (!envelope.ok)
      return { events, unknownTypes, nextOffset, poison: { offset, problem: envelope.problem } };
    const decoded = decodeSessionEvent(envelope.envelope);
    if (decoded.kind === 'invalid') {
      return {
        events,
        unknownTypes,
        nextOffset,
        poison: { offset, problem: `${decoded.type}: ${decoded.problem}` },
      };
    }
    if (decoded.kind === 'unknown-type') unknownTypes.push(decoded.type);
    else events.push({ offset, event: decoded.event });
    nextOffset = (BigInt(offset) + 1n).toString();
  }
  return { events, unknownTypes, nextOffset, poison: undefined };
}
