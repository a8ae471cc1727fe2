import { parseArgs } from 'node:util';
import { fetchKafka, MissingToolError } from '../kafka/fetch-kafka.js';
import { startKafkaBroker, stopKafkaBroker } from '../kafka/kafka-broker.js';
import { startKafkaCluster, stopKafkaCluster } from '../kafka/kafka-cluster.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { nodes: { type: 'string', default: '1' } },
});
const name = process.env.STACK_NAME ?? 'stack';
const port = Number(process.env.KAFKA_PORT ?? 9092);
const controllerPort = Number(process.env.KAFKA_CONTROLLER_PORT ?? port + 1);
const nodes = Number(values.nodes);
const log = (line: string) => console.log(line);

try {
  if (!Number.isInteger(nodes) || nodes < 1) throw new Error('--nodes is a positive integer');
  switch (positionals[0]) {
    case 'fetch':
      console.log(await fetchKafka(log));
      break;
    case 'start':
      if (nodes === 1) {
        await startKafkaBroker({ name, port, controllerPort, log });
      } else {
        // Node i on KAFKA_PORT + 2(i - 1), its controller on the port after.
        const cluster = await startKafkaCluster({ name, nodes, basePort: port, log });
        console.log(`KAFKA_BROKERS=${cluster.brokers.join(',')}`);
      }
      break;
    case 'stop':
      await (nodes === 1 ? stopKafkaBroker(name) : stopKafkaCluster(name));
      console.log('Kafka stopped');
      break;
    default:
      console.error('usage: kafka.js fetch|start|stop [--nodes N]');
      process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof MissingToolError ? error.message : error);
  process.exitCode = 1;
}
