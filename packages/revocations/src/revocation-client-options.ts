import type { Kafka, KafkaConfig } from 'kafkajs';
import type { LogOutOfRangeError } from './log-range.js';
import type { Revocation } from './wire.js';

export interface RevocationClientOptions {
  /**
   * A kafkajs client configured for the authority's brokers (TLS and SASL included), or the
   * configuration to make one with. Given a configuration that can be copied to another process
   * (no functions in it), the client reads the feed in a short-lived child process, whose memory
   * ends with the bootstrap: see docs/downstream.md for what that saves.
   */
  readonly kafka: Kafka | KafkaConfig;
  /** The authority's log; default `session-events`. */
  readonly logTopic?: string;
  /** The compacted revocation feed; default `session-revocations`. */
  readonly feedTopic?: string;
  /** Prefix of the consumer groups; each instance uses its own and commits nothing. */
  readonly groupIdPrefix?: string;
  /** How often expired entries are dropped; default 1000 ms. */
  readonly pruneIntervalMs?: number;
  /** The clock, in epoch milliseconds. */
  readonly now?: () => number;
}

export interface RevocationClientEvents {
  /** A revocation read from the log after the bootstrap (the feed's own entries are not replayed). */
  revoked: [Revocation];
  /** How many expired entries a prune dropped. */
  expired: [number];
  /** A consumer stopped on an error; it is started again (by kafkajs when the error is retriable). */
  crash: [Error];
  /**
   * The log no longer holds the client's position (LogOutOfRangeError): the client has stopped
   * following it, `failure` says why, and `waitFor` rejects from now on.
   */
  failed: [LogOutOfRangeError];
}
