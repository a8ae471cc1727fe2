import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PositionedRecord } from '@session-authority/events';
import { packRecords } from './packed-records.js';

interface Pending {
  resolve(lines: Buffer): void;
  reject(error: Error): void;
}

/**
 * Worker threads that turn batches into audit rows, one partition always on the same thread (its
 * chain is sequential), so that decoding, hashing and formatting run on every core while the
 * main thread fetches the log and feeds the COPY.
 */
export class AuditRowWorkers {
  private readonly workers: Worker[];
  private readonly pending: Pending[][];

  constructor(topic: string, count = Math.max(1, Math.min(availableParallelism(), 4))) {
    this.workers = Array.from(
      { length: count },
      () =>
        new Worker(new URL('./audit-rows-worker.js', import.meta.url), {
          workerData: { topic },
          // Most of what a batch allocates dies young: a larger young generation scavenges less.
          resourceLimits: { maxYoungGenerationSizeMb: 64 },
        }),
    );
    this.pending = this.workers.map(() => []);
    this.workers.forEach((worker, i) => {
      const queue = this.pending[i] ?? [];
      worker.on('message', (reply: { lines?: ArrayBuffer; error?: string }) => {
        const next = queue.shift();
        if (reply.error !== undefined) next?.reject(new Error(reply.error));
        else next?.resolve(Buffer.from(reply.lines ?? new ArrayBuffer(0)));
      });
      const fail = (error: Error) => queue.splice(0).forEach((p) => p.reject(error));
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`an audit row worker exited (${code})`)));
    });
  }

  /** The batch's rows as COPY lines (UTF-8); one partition's batches must come in offset order. */
  lines(partition: number, records: readonly PositionedRecord[]): Promise<Buffer> {
    const index = partition % this.workers.length;
    const packed = packRecords(records);
    const { promise, resolve, reject } = Promise.withResolvers<Buffer>();
    this.pending[index]?.push({ resolve, reject });
    const buffer = packed.buffer as ArrayBuffer;
    this.workers[index]?.postMessage({ partition, packed: buffer }, [buffer]);
    return promise;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
