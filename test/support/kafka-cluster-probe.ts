import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localDir, type ClusterLayout } from '@session-authority/local-infra';
import { Kafka, logLevel } from 'kafkajs';

/** The topic's partitions as the given brokers describe them (a probe's own admin client). */
async function partitionsOf(brokers: string[], topic: string, retries?: number) {
  const retry = retries === undefined ? {} : { retry: { retries } };
  const kafka = new Kafka({
    clientId: 'test-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    ...retry,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics[0]?.partitions ?? [];
  } finally {
    await admin.disconnect();
  }
}

/** Per node id, how many partitions of the topic it leads now. */
export async function leadersOf(brokers: string[], topic: string): Promise<Map<number, number>> {
  const led = new Map<number, number>();
  for (const partition of await partitionsOf(brokers, topic))
    led.set(partition.leader, (led.get(partition.leader) ?? 0) + 1);
  return led;
}

/**
 * True once the node answers at its own address and is an in-sync replica of every partition of
 * the topic: a restarted node is back, leading or following, not only started.
 */
export async function inSyncEverywhere(
  nodeAddress: string,
  nodeId: number,
  topic: string,
): Promise<boolean> {
  try {
    const partitions = await partitionsOf([nodeAddress], topic, 0);
    return partitions.length > 0 && partitions.every((p) => p.isr.includes(nodeId));
  } catch {
    return false;
  }
}

/** The node that leads most partitions of the topic. */
export async function busiestLeader(brokers: string[], topic: string): Promise<number> {
  const led = [...(await leadersOf(brokers, topic))].sort((a, b) => b[1] - a[1]);
  const [first] = led;
  if (first === undefined) throw new Error(`no leader for ${topic}`);
  return first[0];
}

const TRANSITION =
  /\[RaftManager id=(\d+)\] Completed transition to (?:Leader\(.*?epoch=(\d+)|FollowerState\(.*?epoch=(\d+), leader=(\d+))/;

/**
 * The active KRaft controller, from the nodes' own logs (Kafka's clients are not told which node
 * it is): the leader named by the latest quorum epoch any node has entered.
 */
export function activeController(layout: ClusterLayout): number {
  let latest = { epoch: -1, leader: -1 };
  for (const node of layout.nodes) {
    const log = readFileSync(join(localDir, 'kafka', node.name, 'broker.log'), 'utf8');
    for (const line of log.split('\n')) {
      const match = TRANSITION.exec(line);
      if (match === null) continue;
      const [, self, leaderEpoch, followerEpoch, leader] = match;
      const epoch = Number(leaderEpoch ?? followerEpoch);
      if (epoch > latest.epoch)
        latest = { epoch, leader: Number(leaderEpoch === undefined ? leader : self) };
    }
  }
  if (latest.leader < 0) throw new Error('no controller has been elected');
  return latest.leader;
}
