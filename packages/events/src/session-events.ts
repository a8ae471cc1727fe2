import type { EventEnvelope } from './envelope.js';
import { createEventRegistry, type DecodeResult } from './registry.js';
import {
  SESSION_ISSUED_V1,
  sessionIssuedV1Schema,
  type SessionIssuedV1,
} from './session-issued-v1.js';
import {
  SESSION_REVOKED_V1,
  sessionRevokedV1Schema,
  type SessionRevokedV1,
} from './session-revoked-v1.js';

/** Every published version; add new ones here together with an upcaster from the previous one. */
export const sessionEventRegistry = createEventRegistry([
  { type: SESSION_ISSUED_V1, schema: sessionIssuedV1Schema },
  { type: SESSION_REVOKED_V1, schema: sessionRevokedV1Schema },
]);

export type SessionIssuedEvent = EventEnvelope<typeof SESSION_ISSUED_V1, SessionIssuedV1>;
export type SessionRevokedEvent = EventEnvelope<typeof SESSION_REVOKED_V1, SessionRevokedV1>;
/** The newest version of each event, which is what consumers inside this repo handle. */
export type SessionEvent = SessionIssuedEvent | SessionRevokedEvent;

export type SessionDecodeResult =
  | { readonly kind: 'event'; readonly event: SessionEvent }
  | Exclude<DecodeResult, { kind: 'event' }>;

export function decodeSessionEvent(envelope: EventEnvelope): SessionDecodeResult {
  const result = sessionEventRegistry.decode(envelope);
  if (result.kind !== 'event') return result;
  // The registry validated the data against the schema of exactly this type.
  return { kind: 'event', event: result.envelope as SessionEvent };
}
