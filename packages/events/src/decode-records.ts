import { encodeEnvelope, readEnvelope, type EventEnvelope, type RawRecord } from './envelope.js';
import { decodeSessionEvent, type SessionEvent } from './session-events.js';

/** A record and its offset in its partition. Offsets are 64-bit, hence bigint. */
export interface PositionedRecord {
  readonly offset: bigint;
  readonly record: RawRecord;
}

export interface PositionedEvent {
  readonly offset: bigint;
  readonly event: SessionEvent;
}

export interface Poison {
  readonly offset: bigint;
  readonly problem: string;
}

export interface DecodedRecords {
  /** Events before the first poison record (all of them when there is none). */
  readonly events: PositionedEvent[];
  readonly unknownTypes: string[];
  /** One past the last record that may be applied; undefined when that is none. */
  readonly nextOffset: bigint | undefined;
  readonly poison: Poison | undefined;
}

/**
 * How the projector reads records, and so the test of what the API may append: records are
 * decoded up to the first poison one; what precedes it may be applied, the rest waits.
 */
export function decodeRecords(records: readonly PositionedRecord[]): DecodedRecords {
  const events: PositionedEvent[] = [];
  const unknownTypes: string[] = [];
  let nextOffset: bigint | undefined;
  for (const { offset, record } of records) {
    const envelope = readEnvelope(record);
    if (!envelope.ok)
      return { events, unknownTypes, nextOffset, poison: { offset, problem: envelope.problem } };
    const decoded = decodeSessionEvent(envelope.envelope);
    if (decoded.kind === 'invalid') {
      const problem = `${decoded.type}: ${decoded.problem}`;
      return { events, unknownTypes, nextOffset, poison: { offset, problem } };
    }
    if (decoded.kind === 'unknown-type') unknownTypes.push(decoded.type);
    else events.push({ offset, event: decoded.event });
    nextOffset = offset + 1n;
  }
  return { events, unknownTypes, nextOffset, poison: undefined };
}

/**
 * Why the projector would reject this envelope once appended (decoded exactly as it decodes a
 * record), or undefined when it would apply it. The API checks every event with it before the
 * append: a value the projector cannot read must never reach the log.
 */
export function rejectionOf(envelope: EventEnvelope): string | undefined {
  const decoded = decodeRecords([{ offset: 0n, record: encodeEnvelope(envelope) }]);
  if (decoded.poison !== undefined) return decoded.poison.problem;
  if (decoded.unknownTypes.length > 0) return `${envelope.type} is not a known event type`;
  return undefined;
}
