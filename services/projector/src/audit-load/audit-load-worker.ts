import { parentPort, workerData } from 'node:worker_threads';
import { CHAIN_START } from '@session-authority/audit';
import type { KafkaConnection } from '@session-authority/event-log';
import { createLogger } from '../logger.js';
import { readLog } from '../read-log.js';
import { auditLinesOf } from './audit-lines.js';
import { Credits } from './credits.js';

export interface AuditLoadWorkerData {
  readonly topic: string;
  readonly kafka: Omit<KafkaConnection, 'logger'>;
  /** The partitions this thread reads, each to this end. */
  readonly ends: readonly (readonly [number, bigint])[];
  readonly logLevel: string;
}

export type AuditLoadReply =
  | { readonly lines: Uint8Array<ArrayBuffer> }
  | { readonly done: true }
  | { readonly error: string };

/** Batches posted and not yet written by the main thread: the COPY sets the pace. */
const UNWRITTEN = 8;

const port = parentPort;
if (port === null) throw new Error('an audit load worker runs in a worker thread');
const { topic, kafka, ends, logLevel } = workerData as AuditLoadWorkerData;
const credits = new Credits(UNWRITTEN);
port.on('message', () => credits.give());

const heads = new Map<number, string>();
// On stderr: a command's stdout carries only its result.
const logger = createLogger(logLevel, 'audit-load', 2);
readLog(
  { kafka: { ...kafka, logger }, topic, onlyUntil: true },
  () => 0n,
  new Map(ends),
  async (partition, records) => {
    await credits.take();
    const start = heads.get(partition) ?? CHAIN_START;
    const { lines, head } = auditLinesOf(topic, partition, records, start);
    heads.set(partition, head);
    // Moved, not copied: the main thread only hands the bytes to COPY.
    port.postMessage({ lines } satisfies AuditLoadReply, [lines.buffer]);
  },
).then(
  () => port.postMessage({ done: true } satisfies AuditLoadReply),
  (error: unknown) =>
    port.postMessage({
      error: error instanceof Error ? error.message : String(error),
    } satisfies AuditLoadReply),
);
