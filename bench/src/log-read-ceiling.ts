import { randomBytes } from 'node:crypto';
import { createKafka, readLogEnd } from '@session-authority/event-log';
import { readLog } from '@session-authority/projector';
import { withCpuPerEvent } from './process-cpu.js';

export interface LogReadCeiling {
  readonly events: number;
  /** A kafkajs consumer that does nothing with its batches, with the services' fetch settings. */
  readonly kafkajsPerSecond: number;
  /** The CPU that read took per event: this process, the broker (PostgreSQL is idle). */
  readonly kafkajsCpuMicrosPerEvent?: Readonly<Record<string, number>>;
  /** readLog (what verify and the audit rebuild read through) with nothing done per record. */
  readonly readLogPerSecond: number;
}

const perSecond = (events: number, started: number) =>
  Math.round(events / ((performance.now() - started) / 1000));

/** Every record of the topic through a bare kafkajs consumer, from the start to `end`. */
async function kafkajsRead(
  brokers: readonly string[],
  topic: string,
  end: ReadonlyMap<number, bigint>,
): Promise<void> {
  const consumer = createKafka({ brokers, clientId: 'bench-log-read' }).consumer({
    groupId: `bench-log-read.${randomBytes(6).toString('hex')}`,
    maxWaitTimeInMs: 50,
  });
  const pending = new Set([...end].filter(([, offset]) => offset > 0n).map(([p]) => p));
  const { promise: done, resolve } = Promise.withResolvers<undefined>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: ({ batch }) => {
        const last = BigInt(batch.lastOffset());
        if (last + 1n >= (end.get(batch.partition) ?? 0n) && pending.delete(batch.partition))
          if (pending.size === 0) resolve(undefined);
        return Promise.resolve();
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * How fast the whole log can be read at all, on this machine, by the client the stack names:
 * the ceiling of verify and of the audit rebuild, which read it through readLog and then decode,
 * hash and compare (or load) every record.
 */
export async function measureLogReadCeiling(
  brokers: readonly string[],
  topic: string,
  brokerPids: readonly number[] = [],
): Promise<LogReadCeiling> {
  const kafka = { brokers, clientId: 'bench-log-read' };
  const end = await readLogEnd(kafka, topic);
  const events = Number([...end.values()].reduce((sum, offset) => sum + offset, 0n));
  let started = performance.now();
  const { cpuMicrosPerEvent } = await withCpuPerEvent(
    brokerPids,
    () => kafkajsRead(brokers, topic, end),
    () => events,
  );
  const kafkajsPerSecond = perSecond(events, started);
  started = performance.now();
  await readLog(
    { kafka, topic },
    () => 0n,
    end,
    () => undefined,
  );
  return {
    events,
    kafkajsPerSecond,
    kafkajsCpuMicrosPerEvent: cpuMicrosPerEvent,
    readLogPerSecond: perSecond(events, started),
  };
}
