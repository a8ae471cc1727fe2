import { encodeEnvelope, type EventEnvelope } from '@session-authority/events';
import type { EventAppender, LogPosition, LogRecord } from './types.js';

export type AppendListener = (partition: number, records: readonly LogRecord[]) => void;

/**
 * The in-memory twin of the Kafka log for in-process tests: the same EventAppender port, the same
 * encoded records, one array per partition. `failWith` makes appends fail as a broker outage would.
 */
export class InMemoryEventLog implements EventAppender {
  readonly #partitions: LogRecord[][];
  readonly #listeners = new Set<AppendListener>();
  #failure: Error | undefined;

  constructor(partitions = 4) {
    this.#partitions = Array.from({ length: partitions }, () => []);
  }

  append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const appended = new Map<number, LogRecord[]>();
    const positions = envelopes.map((envelope) => {
      const record = encodeEnvelope(envelope);
      const partition = this.partitionOf(envelope.subject);
      const log = this.#partitions[partition] ?? [];
      const positioned = { offset: BigInt(log.length), record, timestamp: new Date() };
      log.push(positioned);
      appended.set(partition, [...(appended.get(partition) ?? []), positioned]);
      return { partition, offset: positioned.offset };
    });
    for (const [partition, records] of appended) {
      for (const listener of this.#listeners) listener(partition, records);
    }
    return Promise.resolve(positions);
  }

  /** A stable spread of keys over partitions (not Kafka's murmur2: nothing here depends on which). */
  partitionOf(key: string): number {
    let hash = 2166136261;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
    return (hash >>> 0) % this.#partitions.length;
  }

  records(partition: number): readonly LogRecord[] {
    return this.#partitions[partition] ?? [];
  }

  get partitionCount(): number {
    return this.#partitions.length;
  }

  onAppend(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every later append rejects with `error` until called again with undefined. */
  failWith(error: Error | undefined): void {
    this.#failure = error;
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
