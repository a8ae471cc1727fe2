export { RevocationClient } from './revocation-client.js';
export { MalformedPositionError, PositionTimeoutError, PositionWaits } from './position-waits.js';
export { LogOutOfRangeError } from './log-range.js';
export type {
  RevocationClientEvents,
  RevocationClientOptions,
} from './revocation-client-options.js';
export { revocationHook, errorGeneric } from './fastify-hook.js';
export type { RevocationHookOptions, RevocationView } from './fastify-hook.js';
export { isSessionId } from './session-id.js';
export { SessionIdSet } from './session-id-set.js';
export {
  FEED_CHECKPOINT_KEY,
  parsePositionHeader,
  readFeedRecord,
  revocationOfLogRecord,
} from './wire.js';
export type { FeedRecord, Revocation, WireRecord } from './wire.js';
