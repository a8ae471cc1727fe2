import {
  encodeEnvelope,
  readEnvelope,
  type EnvelopeReadResult,
  type EventEnvelope,
  type RawRecord,
} from './envelope.js';
import { decodeSessionEvent, type SessionEvent } from './session-events.js';
import { isUuid } from './uuid.js';

/** A record and its offset in its partition. Offsets are 64-bit, hence bigint. */
export interface PositionedRecord {
  readonly offset: bigint;
  readonly record: RawRecord;
  /** The record's timestamp in the log (the time a quarantine takes effect). */
  readonly timestamp: Date;
  /** Its envelope, when decodeRecords has read it already: projections need not parse it again. */
  readonly read?: EnvelopeReadResult;
}

export interface PositionedEvent {
  readonly offset: bigint;
  readonly event: SessionEvent;
}

/** A record whose key names a session but whose envelope or data fails its schema. */
export interface QuarantinedRecord {
  readonly offset: bigint;
  readonly sessionId: string;
  /** ce_type, when the record has one. */
  readonly type: string | undefined;
  readonly problem: string;
  readonly at: Date;
}

/** A record with no usable key: it cannot be pinned on one session, so its partition halts. */
export interface Poison {
  readonly offset: bigint;
  readonly problem: string;
}

export interface DecodedRecords {
  readonly events: PositionedEvent[];
  readonly quarantined: QuarantinedRecord[];
  readonly unknownTypes: string[];
  /** One past the last record that may be applied; undefined when that is none. */
  readonly nextOffset: bigint | undefined;
  /** The first record with no usable key; nothing from it on is decoded. */
  readonly halt: Poison | undefined;
  /** Each record's envelope as read, in the records' order, up to the halt (read once, shared). */
  readonly reads: readonly EnvelopeReadResult[];
}

function text(value: Buffer | string | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.toString('utf8');
}

/** Why the record cannot be applied, or its event (undefined: a type this code does not know). */
function decodeOne(
  record: RawRecord,
  envelope: EnvelopeReadResult,
): { problem: string } | { event: SessionEvent | undefined } {
  if (!envelope.ok) return { problem: envelope.problem };
  const decoded = decodeSessionEvent(envelope.envelope);
  if (decoded.kind === 'invalid') return { problem: `${decoded.type}: ${decoded.problem}` };
  if (decoded.kind === 'unknown-type') return { event: undefined };
  // A session's events must all be keyed by it, or they would lose their order.
  const key = text(record.key ?? undefined);
  if (decoded.event.subject !== key || decoded.event.data.session_id !== key)
    return { problem: 'the record key, ce_subject and session_id differ' };
  return { event: decoded.event };
}

/**
 * How the projector reads records, and so the test of what the API may append. A record that
 * fails its schema fails closed for its own session (quarantined) when its key is a session id;
 * only a record with no usable key stops the partition.
 */
export function decodeRecords(records: readonly PositionedRecord[]): DecodedRecords {
  const events: PositionedEvent[] = [];
  const quarantined: QuarantinedRecord[] = [];
  const unknownTypes: string[] = [];
  const reads: EnvelopeReadResult[] = [];
  let nextOffset: bigint | undefined;
  for (const { offset, record, timestamp } of records) {
    const read = readEnvelope(record);
    const result = decodeOne(record, read);
    if ('problem' in result) {
      const sessionId = text(record.key ?? undefined);
      if (sessionId === undefined || !isUuid(sessionId)) {
        const halt = { offset, problem: `no session id as key; ${result.problem}` };
        return { events, quarantined, unknownTypes, nextOffset, halt, reads };
      }
      const type = text(record.headers.ce_type);
      quarantined.push({ offset, sessionId, type, problem: result.problem, at: timestamp });
    } else if (result.event === undefined) {
      unknownTypes.push(text(record.headers.ce_type) ?? '(none)');
    } else {
      events.push({ offset, event: result.event });
    }
    reads.push(read);
    nextOffset = offset + 1n;
  }
  return { events, quarantined, unknownTypes, nextOffset, halt: undefined, reads };
}

/**
 * Why the projector would not apply this envelope once appended (decoded exactly as it decodes
 * a record), or undefined when it would. The API checks every event with it before the append:
 * a value the projector cannot read must never reach the log.
 */
export function rejectionOf(envelope: EventEnvelope): string | undefined {
  const record = { offset: 0n, record: encodeEnvelope(envelope), timestamp: new Date() };
  const decoded = decodeRecords([record]);
  const problem = decoded.halt?.problem ?? decoded.quarantined[0]?.problem;
  if (problem !== undefined) return problem;
  if (decoded.unknownTypes.length > 0) return `${envelope.type} is not a known event type`;
  return undefined;
}
