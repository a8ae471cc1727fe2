import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readLogEnd, type KafkaConnection } from '@session-authority/event-log';
import { openAuditCopy, type AuditCopy, type ReadModelOrm } from '@session-authority/read-model';
import { RebuildError } from '../rebuild-error.js';
import type { AuditLoadReply, AuditLoadWorkerData } from './audit-load-worker.js';

export interface AuditRebuildOptions {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  readonly topic: string;
  readonly connection: KafkaConnection;
  /** The workers' log level (they log to stderr). */
  readonly logLevel?: string;
  /** Threads that read and decode the log; one per core unless told (at most 4). */
  readonly threads?: number;
}

/**
 * Makes the audit projection of an empty schema from the whole log, to the end it has now: the
 * rows the projector would write (the same decoding, columns, hashes and chain). Worker threads
 * each read a share of the partitions and turn them into rows; this thread feeds their bytes to
 * one COPY in one transaction. Returns how many rows it wrote.
 */
export async function rebuildAuditProjection(options: AuditRebuildOptions): Promise<number> {
  const { orm, schema, topic, connection } = options;
  const end = await readLogEnd(connection, topic);
  const threads = options.threads ?? Math.max(1, Math.min(availableParallelism(), 4));
  const shares = Array.from({ length: threads }, (_, i) =>
    [...end].filter(([partition, high]) => partition % threads === i && high > 0n),
  ).filter((share) => share.length > 0);
  const copy = await openAuditCopy(orm.em, schema);
  const workers: Worker[] = [];
  try {
    const { brokers, clientId, security } = connection;
    const kafka = { brokers, clientId, ...(security === undefined ? {} : { security }) };
    await Promise.all(
      shares.map((ends) => {
        const worker = new Worker(new URL('./audit-load-worker.js', import.meta.url), {
          workerData: {
            topic,
            kafka,
            ends,
            logLevel: options.logLevel ?? 'warn',
          } satisfies AuditLoadWorkerData,
        });
        workers.push(worker);
        return loadFrom(worker, copy);
      }),
    );
    return await copy.finish(topic, end);
  } catch (error) {
    await copy.abort();
    throw error instanceof RebuildError ? error : new RebuildError((error as Error).message);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Writes what one worker sends until it is done; rejects at its first error. */
function loadFrom(worker: Worker, copy: AuditCopy): Promise<undefined> {
  const { promise, resolve, reject } = Promise.withResolvers<undefined>();
  let writing = Promise.resolve();
  worker.on('message', (reply: AuditLoadReply) => {
    if ('lines' in reply) {
      writing = writing
        .then(() => copy.write(bufferOf(reply.lines)))
        .then(() => worker.postMessage('written'), reject);
    } else if ('done' in reply) void writing.then(() => resolve(undefined), reject);
    else reject(new RebuildError(reply.error));
  });
  worker.on('error', reject);
  worker.on('exit', (code) => reject(new Error(`an audit load worker stopped (exit ${code})`)));
  return promise;
}

/** A Buffer over the same memory, not a copy (Buffer.from of a Uint8Array copies it). */
const bufferOf = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
