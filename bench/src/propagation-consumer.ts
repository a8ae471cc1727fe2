import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A downstream consumer of the log in its own process, as another service would be. Prints
 * READY once it has read to the end the log had at its start, then one line per revocation:
 * `<session id> <epoch ms when seen>`.
 */
const [brokers = '', topic = ''] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: 'bench-propagation',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
await admin.connect();
const end = new Map(
  (await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]),
);
await admin.disconnect();
const behind = new Set([...end].filter(([, high]) => high > 0n).map(([partition]) => partition));
let ready = false;
const announceReady = () => {
  if (!ready && behind.size === 0) {
    ready = true;
    process.stdout.write('READY\n');
  }
};

const consumer = kafka.consumer({
  groupId: `bench-propagation-${randomUUID()}`,
  maxWaitTimeInMs: 10,
});
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
consumer.on(consumer.events.GROUP_JOIN, announceReady);
await consumer.run({
  eachBatch: async ({ batch }) => {
    const seenAt = performance.timeOrigin + performance.now();
    const lines: string[] = [];
    for (const message of batch.messages) {
      if (ready && message.headers?.ce_type?.toString() === 'session.revoked.v2') {
        lines.push(`${message.headers.ce_subject?.toString() ?? ''} ${seenAt.toFixed(3)}`);
      }
    }
    const last = batch.messages.at(-1);
    if (last !== undefined && BigInt(last.offset) + 1n >= (end.get(batch.partition) ?? 0n)) {
      behind.delete(batch.partition);
    }
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    announceReady();
    return Promise.resolve();
  },
});
process.on('SIGTERM', () => {
  void consumer.disconnect().then(() => process.exit(0));
});
