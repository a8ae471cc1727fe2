import { readEnvelope, type EventEnvelope } from '@session-authority/events';
import { readLogEnd } from '@session-authority/event-log';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { kafkaBrokers, uniqueName } from './stores.js';
import { waitFor } from './wait-for.js';

export type LoggedEvent = EventEnvelope & { partition: number; offset: bigint };

/** Hands every record of a topic, from its start to its current end, to `onMessage`. */
export async function readToEnd(
  topic: string,
  onMessage: (partition: number, message: KafkaMessage) => void,
  brokers: string[] = kafkaBrokers(),
): Promise<void> {
  const end = await readLogEnd({ brokers, clientId: 'test-reader' }, topic);
  const remaining = new Map([...end].filter(([, high]) => high > 0n));
  if (remaining.size === 0) return;
  const kafka = new Kafka({ clientId: 'test-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      onMessage(partition, message);
      if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n))
        remaining.delete(partition);
      return Promise.resolve();
    },
  });
  try {
    await waitFor(`${topic} read to its end`, () => remaining.size === 0, 20_000);
  } finally {
    await consumer.disconnect();
  }
}

/** Every event of a topic from its start to its current end, in log order per partition. */
export async function readTopic(topic: string): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  await readToEnd(topic, (partition, message) => {
    const read = readEnvelope({
      key: message.key,
      value: message.value,
      headers: Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
      ),
    });
    if (read.ok) events.push({ ...read.envelope, partition, offset: BigInt(message.offset) });
  });
  return events.sort(
    (x, y) => x.partition - y.partition || (x.offset < y.offset ? -1 : x.offset > y.offset ? 1 : 0),
  );
}
