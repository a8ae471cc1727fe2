import { fetchKafka, MissingToolError } from '../kafka/fetch-kafka.js';
import { startKafkaBroker, stopKafkaBroker } from '../kafka/kafka-broker.js';

const name = process.env.STACK_NAME ?? 'stack';
const port = Number(process.env.KAFKA_PORT ?? 9092);
const controllerPort = Number(process.env.KAFKA_CONTROLLER_PORT ?? port + 1);
const log = (line: string) => console.log(line);

try {
  switch (process.argv[2]) {
    case 'fetch':
      console.log(await fetchKafka(log));
      break;
    case 'start':
      await startKafkaBroker({ name, port, controllerPort, log });
      break;
    case 'stop':
      await stopKafkaBroker(name);
      console.log('Kafka stopped');
      break;
    default:
      console.error('usage: kafka.js fetch|start|stop');
      process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof MissingToolError ? error.message : error);
  process.exitCode = 1;
}
