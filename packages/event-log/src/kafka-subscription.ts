import type { Consumer } from 'kafkajs';
import { createKafka } from './kafka-client.js';
import type { KafkaConnection, LogRecord, PartitionBatch } from './types.js';

export interface SubscriptionHandlers {
  /** Where to resume each assigned partition: the projection's own stored offsets, not Kafka's. */
  startOffsets(partitions: readonly number[]): Promise<ReadonlyMap<number, string>>;
  /** Applies one batch; resolves with the next offset to read. Throwing retries the batch later. */
  handleBatch(batch: PartitionBatch): Promise<'continue' | 'halt'>;
  onAssigned?(partitions: readonly number[]): void;
}

export interface KafkaSubscriptionOptions extends KafkaConnection {
  readonly topic: string;
  readonly groupId: string;
}

export interface Subscription {
  start(handlers: SubscriptionHandlers): Promise<void>;
  /** Partitions halted by a 'halt' answer; they resume only on the next assignment. */
  haltedPartitions(): number[];
  stop(): Promise<void>;
}

/**
 * A consumer-group subscription that never trusts Kafka's committed offsets: on every assignment
 * it seeks to the offsets the handler reports, and it drops records it is handed below them.
 */
export function createKafkaSubscription(options: KafkaSubscriptionOptions): Subscription {
  const kafka = createKafka(options);
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 50,
  });
  const expected = new Map<number, bigint>();
  const halted = new Set<number>();
  const logger = options.logger;

  return {
    async start(handlers) {
      async function seekToStored(partitions: readonly number[]): Promise<void> {
        const offsets = await handlers.startOffsets(partitions);
        for (const partition of partitions) {
          const offset = offsets.get(partition) ?? '0';
          expected.set(partition, BigInt(offset));
          consumer.seek({ topic: options.topic, partition, offset });
        }
      }
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const partitions = event.payload.memberAssignment[options.topic] ?? [];
        expected.clear();
        halted.clear();
        handlers.onAssigned?.(partitions);
        seekToStored(partitions).catch((error: unknown) => {
          // eachBatch tries again for every partition whose offset is still unknown.
          logger?.warn({ err: error }, 'could not read stored offsets on assignment');
        });
      });
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Every partition's batch can join the projector's next transaction.
        partitionsConsumedConcurrently: 16,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const partition = batch.partition;
          if (halted.has(partition) || !payload.isRunning() || payload.isStale()) return;
          const from = expected.get(partition);
          if (from === undefined) {
            await seekToStored([partition]);
            return;
          }
          const first = batch.messages[0];
          if (first !== undefined && BigInt(first.offset) > from) {
            // A gap: the fetch started past what the projection applied. Go back.
            consumer.seek({ topic: options.topic, partition, offset: from.toString() });
            return;
          }
          const records: LogRecord[] = batch.messages
            .filter((message) => BigInt(message.offset) >= from)
            .map((message) => ({
              offset: message.offset,
              record: {
                key: message.key,
                value: message.value,
                headers: Object.fromEntries(
                  Object.entries(message.headers ?? {}).map(([name, value]) => [
                    name,
                    Array.isArray(value) ? value[0] : value,
                  ]),
                ),
              },
            }));
          const last = batch.messages.at(-1);
          if (records.length === 0 || last === undefined) {
            if (last !== undefined) payload.resolveOffset(last.offset);
            return;
          }
          const outcome = await handlers.handleBatch({
            topic: options.topic,
            partition,
            records,
            highWatermark: batch.highWatermark,
          });
          if (outcome === 'halt') {
            halted.add(partition);
            consumer.pause([{ topic: options.topic, partitions: [partition] }]);
            return;
          }
          expected.set(partition, BigInt(last.offset) + 1n);
          payload.resolveOffset(last.offset);
          await payload.heartbeat();
        },
      });
    },
    haltedPartitions() {
      return [...halted].sort((a, b) => a - b);
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
