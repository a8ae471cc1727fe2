import {
  Partitioners,
  type Kafka,
  type Producer,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs';

export interface LogProducer {
  /** Connects now rather than on the first send. */
  connect(): Promise<void>;
  /** One produce request, acks=all; a send retried inside it is written once. */
  send(record: Omit<ProducerRecord, 'acks'>): Promise<RecordMetadata[]>;
  close(): Promise<void>;
}

/**
 * An idempotent producer (Kafka drops a retried batch it has already written), sending one
 * request at a time per partition as its callers do.
 *
 * A send that fails leaves its sequence numbers in doubt: the broker may have written the batch.
 * The next batch would reuse them, and a broker that has the first one answers the second as a
 * duplicate, acknowledged and never written. So after a failure the producer is replaced, and
 * the next send starts with a new producer id.
 */
export function createIdempotentProducer(kafka: Kafka): LogProducer {
  const open = () =>
    kafka.producer({
      allowAutoTopicCreation: false,
      // Callers name each record's partition; the Java client's partitioner is what they use.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      // kafkajs's default for an idempotent producer is to retry for ever, and to warn when told
      // otherwise; the callers' budget is seconds, and replacing the producer keeps the guarantee.
      retry: { retries: 12, initialRetryTime: 50, maxRetryTime: 500 },
    });
  let producer: Producer = open();
  let connected: Promise<void> | undefined;

  const connect = () => (connected ??= producer.connect());

  return {
    connect,
    async send(record) {
      const current = producer;
      try {
        await connect();
        return await current.send({ ...record, acks: -1 });
      } catch (error) {
        if (producer === current) {
          producer = open();
          connected = undefined;
          void current.disconnect().catch(() => undefined);
        }
        throw error;
      }
    },
    async close() {
      await producer.disconnect();
    },
  };
}
