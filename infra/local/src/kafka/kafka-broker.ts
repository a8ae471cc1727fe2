import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { pingKafka } from '@session-authority/event-log';
import { localDir } from '../paths.js';
import { isAlive, run, terminate, waitUntil } from '../process-tools.js';
import { newClusterId } from './cluster-id.js';
import { fetchKafka } from './fetch-kafka.js';

export interface BrokerOptions {
  /** Names the data folder under .local/kafka, so the stack and a test run never share one. */
  readonly name: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly log?: (line: string) => void;
  readonly startTimeoutMs?: number;
  /** A second listener, SASL_SSL, beside the loopback PLAINTEXT one. */
  readonly secured?: SecuredListener;
  /** One node of a cluster (see startKafkaCluster); alone, it is node 1 of one. */
  readonly cluster?: ClusterMembership;
}

/** Where a node stands in a KRaft cluster of combined broker+controller nodes. */
export interface ClusterMembership {
  readonly nodeId: number;
  /** Every node's id and controller port, this one's included. */
  readonly voters: readonly { readonly nodeId: number; readonly controllerPort: number }[];
  /** Formatted into every node's storage: nodes with different ids never form one cluster. */
  readonly clusterId: string;
}

export interface SecuredListener {
  readonly port: number;
  /** PKCS12 keystore with the broker's key and certificate (see makeBrokerCertificate). */
  readonly keystore: string;
  readonly keystorePassword: string;
  /** Created for every mechanism: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
  readonly users: readonly { readonly username: string; readonly password: string }[];
}

export interface RunningBroker {
  readonly brokers: string[];
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
}

const LOG4J = `status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.out.ref = OUT
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = info
logger.quorum.name = org.apache.kafka.raft.QuorumState
logger.quorum.level = info
`;

function securedProperties(secured: SecuredListener): string {
  const plainUsers = secured.users.map((u) => `user_${u.username}="${u.password}"`).join(' ');
  return `sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=${secured.keystore}
ssl.keystore.password=${secured.keystorePassword}
ssl.key.password=${secured.keystorePassword}
ssl.client.auth=none
`;
}

/**
 * With more than one node: internal topics on three, and failure detection in seconds rather than
 * Kafka's defaults (a broker fenced 9 s after its last heartbeat) — see docs/operations.md.
 */
function replicationProperties(nodes: number): string {
  const factor = Math.min(3, nodes);
  const minIsr = Math.min(2, factor);
  const failover =
    nodes === 1
      ? ''
      : `broker.heartbeat.interval.ms=500
broker.session.timeout.ms=2500
controller.quorum.fetch.timeout.ms=1000
controller.quorum.election.timeout.ms=500
`;
  return `offsets.topic.replication.factor=${factor}
transaction.state.log.replication.factor=${factor}
transaction.state.log.min.isr=${minIsr}
default.replication.factor=${factor}
min.insync.replicas=${minIsr}
${failover}`;
}

function serverProperties(
  dataDir: string,
  port: number,
  controllerPort: number,
  secured: SecuredListener | undefined,
  cluster: ClusterMembership,
): string {
  const sasl = secured === undefined ? '' : `,SASL_SSL://127.0.0.1:${secured.port}`;
  const voters = cluster.voters.map((v) => `${v.nodeId}@127.0.0.1:${v.controllerPort}`).join(',');
  return `process.roles=broker,controller
node.id=${cluster.nodeId}
controller.quorum.voters=${voters}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}${sasl}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}${sasl}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
inter.broker.listener.name=PLAINTEXT
log.dirs=${join(dataDir, 'logs')}
num.partitions=1
offsets.topic.num.partitions=4
${replicationProperties(cluster.voters.length)}group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.ms=-1
${secured === undefined ? '' : securedProperties(secured)}`;
}

function brokerDir(name: string): string {
  return join(localDir, 'kafka', name);
}

function readPid(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'broker.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Formats KRaft storage on first use, starts one broker+controller on loopback, waits for metadata. */
export async function startKafkaBroker(options: BrokerOptions): Promise<RunningBroker> {
  const log = options.log ?? (() => undefined);
  const dataDir = brokerDir(options.name);
  const brokers = [`127.0.0.1:${options.port}`];
  const logFile = join(dataDir, 'broker.log');
  const running = readPid(dataDir);
  if (
    running !== undefined &&
    isAlive(running) &&
    (await pingKafka({ brokers, clientId: 'probe' }))
  ) {
    log(`Kafka already running (pid ${running}) on ${brokers[0]}`);
    return { brokers, pid: running, dataDir, logFile };
  }

  const libs = await fetchKafka(log);
  mkdirSync(dataDir, { recursive: true });
  const config = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j2.properties');
  const cluster = options.cluster ?? {
    nodeId: 1,
    voters: [{ nodeId: 1, controllerPort: options.controllerPort }],
    clusterId: newClusterId(),
  };
  writeFileSync(
    config,
    serverProperties(dataDir, options.port, options.controllerPort, options.secured, cluster),
  );
  writeFileSync(log4j, LOG4J);
  const classpath = `${libs}/*`;
  const jvm = [
    '-Xms256m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
  ];
  if (!existsSync(join(dataDir, 'logs', 'meta.properties'))) {
    const clusterId = cluster.clusterId;
    await run('java', [
      ...jvm,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${clusterId}`,
      '-c',
      config,
      // SCRAM credentials live in the cluster metadata, written at format time.
      ...(options.secured?.users ?? []).flatMap(({ username, password }) =>
        ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
          '--add-scram',
          `${mechanism}=[name=${username},password=${password}]`,
        ]),
      ),
    ]);
  }

  const out = openSync(logFile, 'a');
  const child = spawn('java', [...jvm, '-cp', classpath, 'kafka.Kafka', config], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start java for the Kafka broker');
  writeFileSync(join(dataDir, 'broker.pid'), `${pid}\n`);
  try {
    await waitUntil(
      `the Kafka broker on ${brokers[0]} (log: ${logFile})`,
      async () => {
        if (!isAlive(pid)) throw new Error(`the Kafka broker exited; see ${logFile}`);
        return pingKafka({ brokers, clientId: 'probe' });
      },
      options.startTimeoutMs ?? 60_000,
      200,
    );
  } catch (error) {
    await terminate(pid);
    throw error;
  }
  log(`Kafka ${brokers[0]} up (pid ${pid}, log ${logFile})`);
  return { brokers, pid, dataDir, logFile };
}

/** Stops the broker started under `name`, by its own PID; optionally deletes its data. */
export async function stopKafkaBroker(
  name: string,
  options: { removeData?: boolean } = {},
): Promise<void> {
  const dataDir = brokerDir(name);
  const pid = readPid(dataDir);
  if (pid !== undefined) await terminate(pid, 30_000);
  rmSync(join(dataDir, 'broker.pid'), { force: true });
  if (options.removeData === true) rmSync(dataDir, { recursive: true, force: true });
}
