import type { EventEnvelope } from './envelope.js';
import { createEventRegistry, type DecodeResult } from './registry.js';
import {
  SESSION_EXTENDED_V1,
  sessionExtendedV1Schema,
  type SessionExtendedV1,
} from './session-extended-v1.js';
import {
  SESSION_ISSUED_V1,
  sessionIssuedV1Schema,
  type SessionIssuedV1,
} from './session-issued-v1.js';
import {
  SESSION_ISSUED_V2,
  sessionIssuedV2Schema,
  upcastIssuedV1,
  type SessionIssuedV2,
} from './session-issued-v2.js';
import {
  SESSION_REVOKED_V1,
  sessionRevokedV1Schema,
  type SessionRevokedV1,
} from './session-revoked-v1.js';
import {
  SESSION_REVOKED_V2,
  sessionRevokedV2Schema,
  upcastRevokedV1,
  type SessionRevokedV2,
} from './session-revoked-v2.js';

/**
 * Every published version, and an upcaster from each superseded one to its successor. Producers
 * write the newest version; readers decode any version to the newest.
 */
export const sessionEventRegistry = createEventRegistry(
  [
    { type: SESSION_ISSUED_V1, schema: sessionIssuedV1Schema },
    { type: SESSION_ISSUED_V2, schema: sessionIssuedV2Schema },
    { type: SESSION_REVOKED_V1, schema: sessionRevokedV1Schema },
    { type: SESSION_REVOKED_V2, schema: sessionRevokedV2Schema },
    { type: SESSION_EXTENDED_V1, schema: sessionExtendedV1Schema },
  ],
  [
    {
      from: SESSION_ISSUED_V1,
      to: SESSION_ISSUED_V2,
      upcast: (data) => upcastIssuedV1(data as SessionIssuedV1),
    },
    {
      from: SESSION_REVOKED_V1,
      to: SESSION_REVOKED_V2,
      upcast: (data) => upcastRevokedV1(data as SessionRevokedV1),
    },
  ],
);

/** Every type of the session log, of any version: what a projection of it handles. */
export const SESSION_EVENT_TYPES: ReadonlySet<string> = new Set(
  sessionEventRegistry.versions.map((version) => version.type),
);

export type SessionIssuedEvent = EventEnvelope<typeof SESSION_ISSUED_V2, SessionIssuedV2>;
export type SessionRevokedEvent = EventEnvelope<typeof SESSION_REVOKED_V2, SessionRevokedV2>;
export type SessionExtendedEvent = EventEnvelope<typeof SESSION_EXTENDED_V1, SessionExtendedV1>;
/** The newest version of each event, which is what consumers inside this repo handle. */
export type SessionEvent = SessionIssuedEvent | SessionRevokedEvent | SessionExtendedEvent;

export type SessionDecodeResult =
  | { readonly kind: 'event'; readonly event: SessionEvent }
  | Exclude<DecodeResult, { kind: 'event' }>;

export function decodeSessionEvent(envelope: EventEnvelope): SessionDecodeResult {
  const result = sessionEventRegistry.decode(envelope);
  if (result.kind !== 'event') return result;
  // The registry validated the data against the schema of exactly this (newest) type.
  return { kind: 'event', event: result.envelope as SessionEvent };
}
