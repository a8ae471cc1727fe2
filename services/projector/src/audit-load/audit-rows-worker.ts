import { parentPort, workerData } from 'node:worker_threads';
import { CHAIN_START } from '@session-authority/audit';
import { auditLinesOf } from './audit-lines.js';
import { unpackRecords } from './packed-records.js';

/** Turns the batches of the partitions given to it into audit rows, in the order they come. */
const { topic } = workerData as { topic: string };
const heads = new Map<number, string>();
parentPort?.on('message', ({ partition, packed }: { partition: number; packed: ArrayBuffer }) => {
  try {
    const records = unpackRecords(Buffer.from(packed));
    const { lines, head } = auditLinesOf(
      topic,
      partition,
      records,
      heads.get(partition) ?? CHAIN_START,
    );
    heads.set(partition, head);
    // Encoded here, moved without a copy: the main thread only hands the bytes to COPY.
    const bytes = Buffer.from(lines, 'utf8');
    const copied = bytes.byteOffset === 0 && bytes.length === bytes.buffer.byteLength;
    const buffer = copied
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    parentPort?.postMessage({ lines: buffer }, [buffer]);
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
