import type { Consumer, KafkaMessage } from 'kafkajs';
import { planBatch } from './batch-plan.js';
import { createKafka } from './kafka-client.js';
import { checkOffsetsInRange, OffsetOutOfRangeError } from './offset-range.js';
import { restartOnCrash } from './restart-on-crash.js';
import type { KafkaConnection, LogRecord, PartitionBatch } from './types.js';

export interface SubscriptionHandlers {
  /** Where to resume each assigned partition: the projection's own stored offsets, not Kafka's. */
  startOffsets(partitions: readonly number[]): Promise<ReadonlyMap<number, bigint>>;
  /** Applies one batch. Throwing retries the batch; 'halt' stops the partition until the next assignment. */
  handleBatch(batch: PartitionBatch): Promise<'continue' | 'halt'>;
  onAssigned?(partitions: readonly number[]): void;
  /**
   * A stored offset the log does not hold (OffsetOutOfRangeError): the partition stops, and its
   * offsets are never moved to the log's start or end in its place.
   */
  onOutOfRange(error: OffsetOutOfRangeError): void;
}

export interface KafkaSubscriptionOptions extends KafkaConnection {
  readonly topic: string;
  readonly groupId: string;
  /** Only these partitions, when given: the others assigned to it are paused, never read. */
  readonly partitions?: readonly number[];
}

export interface Subscription {
  start(handlers: SubscriptionHandlers): Promise<void>;
  /** Partitions halted by a 'halt' answer; they resume only on the next assignment. */
  haltedPartitions(): number[];
  stop(): Promise<void>;
}

function toLogRecord(message: KafkaMessage): LogRecord {
  // A loop, not entries and fromEntries: this runs for every record every reader reads.
  const headers: Record<string, Buffer | string | undefined> = {};
  for (const name in message.headers) {
    const value = message.headers[name];
    headers[name] = Array.isArray(value) ? value[0] : value;
  }
  return {
    offset: BigInt(message.offset),
    timestamp: new Date(Number(message.timestamp)),
    record: { key: message.key, value: message.value, headers },
  };
}

/**
 * About two minutes: longer than a killed node takes to restart on a busy machine. kafkajs may go
 * on retrying a dead node's address after its leaders have moved (the others are still fetched
 * meanwhile); with 30 retries (30 s) a slow restart ended in a consumer crash. The client's own
 * retries (metadata, coordinators) get the same budget: with 5, one of them ran out on a dead
 * node's address within seconds, and the consumer stopped on that (KafkaJSNonRetriableError).
 */
const CONSUMER_RETRY = { retries: 120, initialRetryTime: 100, maxRetryTime: 1000 };

/**
 * A consumer-group subscription that seeks, on every assignment, to the offsets the handler
 * reports (see planBatch for what it does with each fetched batch).
 */
export function createKafkaSubscription(options: KafkaSubscriptionOptions): Subscription {
  const kafka = createKafka(options, CONSUMER_RETRY);
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 50,
    retry: CONSUMER_RETRY,
  });
  const expected = new Map<number, bigint>();
  const halted = new Set<number>();
  const topic = options.topic;
  let stopping = false;

  return {
    async start(handlers) {
      function stop(partition: number, error: OffsetOutOfRangeError): void {
        halted.add(partition);
        consumer.pause([{ topic, partitions: [partition] }]);
        handlers.onOutOfRange(error);
      }
      /** Seeks only to offsets the log holds now; the first one it does not stops its partition. */
      async function seekWithin(offsets: ReadonlyMap<number, bigint>): Promise<void> {
        try {
          await checkOffsetsInRange(kafka, topic, offsets);
        } catch (error) {
          if (!(error instanceof OffsetOutOfRangeError)) throw error;
          stop(error.partition, error);
          return;
        }
        for (const [partition, offset] of offsets)
          consumer.seek({ topic, partition, offset: offset.toString() });
      }
      async function seekToStored(partitions: readonly number[]): Promise<void> {
        const stored = await handlers.startOffsets(partitions);
        const offsets = new Map(partitions.map((p) => [p, stored.get(p) ?? 0n]));
        await seekWithin(offsets);
        // Unknown until the seek: meanwhile eachBatch asks again rather than read from elsewhere.
        for (const [partition, offset] of offsets) expected.set(partition, offset);
      }
      const wanted = (partition: number) =>
        options.partitions === undefined || options.partitions.includes(partition);
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const assigned = event.payload.memberAssignment[topic] ?? [];
        const others = assigned.filter((p) => !wanted(p));
        if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
        const partitions = assigned.filter(wanted);
        expected.clear();
        halted.clear();
        handlers.onAssigned?.(partitions);
        // Not fetched until sought: kafkajs's first fetch would start where the group stands (the
        // start of the log for a group new to it), megabytes read, decoded and thrown away.
        // Events are emitted synchronously, before the first fetch.
        consumer.pause([{ topic, partitions }]);
        const resume = () =>
          consumer.resume([{ topic, partitions: partitions.filter((p) => !halted.has(p)) }]);
        seekToStored(partitions).then(resume, (error: unknown) => {
          // eachBatch tries again for every partition whose offset is still unknown.
          options.logger?.warn({ err: error }, 'could not read stored offsets on assignment');
          resume();
        });
      });
      async function run(): Promise<void> {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          // Every partition's batch can join the projector's next transaction.
          partitionsConsumedConcurrently: 16,
          eachBatch: async (payload) => {
            const { batch } = payload;
            const partition = batch.partition;
            if (halted.has(partition) || !wanted(partition)) return;
            if (!payload.isRunning() || payload.isStale()) return;
            const offsets = batch.messages.map((message) => BigInt(message.offset));
            const plan = planBatch(expected.get(partition), offsets, BigInt(batch.highWatermark));
            switch (plan.kind) {
              case 'empty':
                return;
              case 'read-stored-offset':
                await seekToStored([partition]);
                return;
              case 'seek':
                // Also where a reset by the client lands, past records deleted before they were read.
                await seekWithin(new Map([[partition, plan.offset]]));
                return;
              case 'skip':
                payload.resolveOffset(plan.last.toString());
                return;
              case 'handle':
                break;
            }
            const outcome = await handlers.handleBatch({
              topic,
              partition,
              records: batch.messages.slice(plan.from).map(toLogRecord),
              highWatermark: BigInt(batch.highWatermark),
            });
            if (outcome === 'halt') {
              halted.add(partition);
              consumer.pause([{ topic, partitions: [partition] }]);
              return;
            }
            expected.set(partition, plan.last + 1n);
            payload.resolveOffset(plan.last.toString());
            await payload.heartbeat();
          },
        });
      }
      restartOnCrash(consumer, run, () => stopping, options.logger);
      await run();
    },
    haltedPartitions() {
      return [...halted].sort((a, b) => a - b);
    },
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
