import type { EventEnvelope, LogPosition, PositionedRecord } from '@session-authority/events';

export type { LogPosition } from '@session-authority/events';

export interface EventAppender {
  /** Resolves once every envelope is durably in the log (acks from all in-sync replicas). */
  append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]>;
  close(): Promise<void>;
}

export type LogRecord = PositionedRecord;

export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly LogRecord[];
  /** One past the last record the broker holds for this partition, as of this fetch. */
  readonly highWatermark: bigint;
}

export interface LogLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: LogLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** TLS (a CA replaces the system's trust store; a certificate and key make it mutual) and SASL. */
export interface KafkaSecurity {
  readonly ssl?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
}

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger?: LogLogger;
  readonly security?: KafkaSecurity;
}
