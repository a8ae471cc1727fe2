export { repoRoot, localDir } from './paths.js';
export { isAlive, terminate, waitUntil, run } from './process-tools.js';
export { fetchKafka, MissingToolError } from './kafka/fetch-kafka.js';
export {
  startKafkaBroker,
  stopKafkaBroker,
  type BrokerOptions,
  type RunningBroker,
  type SecuredListener,
} from './kafka/kafka-broker.js';
export {
  startClusterNode,
  startKafkaCluster,
  stopKafkaCluster,
  type ClusterLayout,
  type RunningCluster,
} from './kafka/kafka-cluster.js';
export {
  resolvePostgres,
  ensureDatabase,
  dropDatabase,
  withDatabase,
  type PostgresServer,
} from './postgres.js';
export { freePort } from './free-port.js';
export {
  startService,
  stopService,
  killService,
  waitReady,
  type ServiceProcess,
  type ServiceSpec,
  type StartOptions,
} from './stack/service-process.js';
export { prepareStores } from '@session-authority/projector';
export { apiSpec, exampleSpec, projectorSpec } from './stack/service-specs.js';
export { makeBrokerCertificate, type BrokerCertificate } from './kafka/broker-certificate.js';
