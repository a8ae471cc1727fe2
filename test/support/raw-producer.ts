import { encodeEnvelope, type EventEnvelope, type RawRecord } from '@session-authority/events';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { kafkaBrokers } from './stores.js';

/** A record, and the timestamp a copy of a log keeps (the producer's clock otherwise). */
export type TimedRawRecord = RawRecord & { readonly timestamp?: string };

export interface RawProducer {
  /** Sends records to one partition, in order, with acks=all; resolves with their offsets. */
  send(partition: number, records: readonly TimedRawRecord[]): Promise<bigint[]>;
  sendEvents(partition: number, events: readonly EventEnvelope[]): Promise<bigint[]>;
  close(): Promise<void>;
}

/** Writes exactly the bytes a test chooses, poison included, to chosen partitions. */
export async function createRawProducer(topic: string): Promise<RawProducer> {
  const kafka = new Kafka({
    clientId: 'test-raw-producer',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const send = async (partition: number, records: readonly TimedRawRecord[]) => {
    const [result] = await producer.send({
      topic,
      acks: -1,
      messages: records.map((record) => ({
        partition,
        ...(record.timestamp === undefined ? {} : { timestamp: record.timestamp }),
        key: record.key,
        value: record.value,
        headers: Object.fromEntries(
          Object.entries(record.headers).filter(([, value]) => value !== undefined),
        ) as Record<string, Buffer | string>,
      })),
    });
    const base = BigInt(result?.baseOffset ?? '0');
    return records.map((_, i) => base + BigInt(i));
  };
  return {
    send,
    sendEvents: (partition, events) => send(partition, events.map(encodeEnvelope)),
    close: () => producer.disconnect(),
  };
}
