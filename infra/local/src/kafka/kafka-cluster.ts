import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../free-port.js';
import { localDir } from '../paths.js';
import { newClusterId } from './cluster-id.js';
import { startKafkaBroker, stopKafkaBroker, type RunningBroker } from './kafka-broker.js';

export interface ClusterOptions {
  /** Names the cluster's folder under .local/kafka; node i keeps its data in `<name>-<i>`. */
  readonly name: string;
  readonly nodes: number;
  /** Node i listens on basePort + 2(i - 1) and its controller on the port after; default: free ports. */
  readonly basePort?: number;
  readonly log?: (line: string) => void;
}

export interface ClusterNode {
  readonly nodeId: number;
  readonly name: string;
  readonly port: number;
  readonly controllerPort: number;
}

/** What a cluster is made of, kept on disk so that a node can be started again alone. */
export interface ClusterLayout {
  readonly clusterId: string;
  readonly nodes: readonly ClusterNode[];
}

export interface RunningCluster {
  readonly brokers: string[];
  readonly layout: ClusterLayout;
  readonly nodes: readonly RunningBroker[];
}

const layoutFile = (name: string) => join(localDir, 'kafka', `${name}.cluster.json`);

async function newLayout(options: ClusterOptions): Promise<ClusterLayout> {
  const nodes: ClusterNode[] = [];
  for (let nodeId = 1; nodeId <= options.nodes; nodeId++) {
    const port =
      options.basePort === undefined ? await freePort() : options.basePort + 2 * (nodeId - 1);
    const controllerPort = options.basePort === undefined ? await freePort() : port + 1;
    nodes.push({ nodeId, name: `${options.name}-${nodeId}`, port, controllerPort });
  }
  return { clusterId: newClusterId(), nodes };
}

/** The layout the cluster was first started with, or a new one (ports and a cluster id). */
async function layoutOf(options: ClusterOptions): Promise<ClusterLayout> {
  const file = layoutFile(options.name);
  if (existsSync(file)) {
    const layout = JSON.parse(readFileSync(file, 'utf8')) as ClusterLayout;
    if (layout.nodes.length === options.nodes) return layout;
  }
  const layout = await newLayout(options);
  mkdirSync(join(localDir, 'kafka'), { recursive: true });
  writeFileSync(file, JSON.stringify(layout, null, 2) + '\n');
  return layout;
}

/** Starts one node of a cluster started before (a restart after a kill, say). */
export function startClusterNode(
  layout: ClusterLayout,
  nodeId: number,
  log?: (line: string) => void,
): Promise<RunningBroker> {
  const node = layout.nodes.find((n) => n.nodeId === nodeId);
  if (node === undefined) throw new Error(`the cluster has no node ${nodeId}`);
  return startKafkaBroker({
    name: node.name,
    port: node.port,
    controllerPort: node.controllerPort,
    ...(log === undefined ? {} : { log }),
    cluster: {
      nodeId,
      clusterId: layout.clusterId,
      voters: layout.nodes.map((n) => ({ nodeId: n.nodeId, controllerPort: n.controllerPort })),
    },
  });
}

/**
 * A local KRaft cluster of combined broker+controller nodes from the same distribution as the
 * single broker. All nodes start together: a node is up only once a quorum of controllers is.
 */
export async function startKafkaCluster(options: ClusterOptions): Promise<RunningCluster> {
  const layout = await layoutOf(options);
  const nodes = await Promise.all(
    layout.nodes.map((node) => startClusterNode(layout, node.nodeId, options.log)),
  );
  return { brokers: nodes.flatMap((n) => n.brokers), layout, nodes };
}

/** Stops every node of the cluster; optionally deletes its data and layout. */
export async function stopKafkaCluster(
  name: string,
  options: { removeData?: boolean } = {},
): Promise<void> {
  const file = layoutFile(name);
  if (!existsSync(file)) return;
  const layout = JSON.parse(readFileSync(file, 'utf8')) as ClusterLayout;
  await Promise.all(layout.nodes.map((node) => stopKafkaBroker(node.name, options)));
  if (options.removeData === true) rmSync(file, { force: true });
}
