import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { CHAIN_START } from '@session-authority/audit';
import type { KafkaConnection } from '@session-authority/event-log';
import { readLog } from '../read-log.js';
import { auditLinesOf } from './audit-lines.js';

export interface AuditLoadWorkerData {
  readonly topic: string;
  readonly kafka: Omit<KafkaConnection, 'logger'>;
  /** The partitions this thread reads, each to this end. */
  readonly ends: readonly (readonly [number, bigint])[];
}

export type AuditLoadReply =
  { readonly lines: ArrayBuffer } | { readonly done: true } | { readonly error: string };

/** Batches posted and not yet written by the main thread: the COPY sets the pace. */
const UNWRITTEN = 8;

const port = parentPort;
if (port === null) throw new Error('an audit load worker runs in a worker thread');
const { topic, kafka, ends } = workerData as AuditLoadWorkerData;
let unwritten = 0;
// Batches of several partitions are handled at once: every one waiting is woken by each answer.
let waiting: (() => void)[] = [];
port.on('message', () => {
  unwritten -= 1;
  const woken = waiting;
  waiting = [];
  for (const wake of woken) wake();
});

const heads = new Map<number, string>();
const logger = pino({ level: 'warn' });
readLog(
  { kafka: { ...kafka, logger }, topic, onlyUntil: true },
  () => 0n,
  new Map(ends),
  async (partition, records) => {
    const start = heads.get(partition) ?? CHAIN_START;
    const { lines, head } = auditLinesOf(topic, partition, records, start);
    heads.set(partition, head);
    // Encoded here and moved, not copied: the main thread only hands the bytes to COPY.
    const bytes = Buffer.from(lines, 'utf8');
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    port.postMessage({ lines: buffer } satisfies AuditLoadReply, [buffer]);
    unwritten += 1;
    while (unwritten >= UNWRITTEN) await new Promise<void>((wake) => waiting.push(wake));
  },
).then(
  () => port.postMessage({ done: true } satisfies AuditLoadReply),
  (error: unknown) =>
    port.postMessage({
      error: error instanceof Error ? error.message : String(error),
    } satisfies AuditLoadReply),
);
