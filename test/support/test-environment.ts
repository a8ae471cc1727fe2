import {
  freePort,
  MissingToolError,
  resolvePostgres,
  startKafkaBroker,
  stopKafkaBroker,
} from '@session-authority/local-infra';
import { startKafkaContainer } from './kafka-container.js';

export interface TestEnvironment {
  readonly kafkaBrokers: string;
  /** A server URL; each test file creates its own database on it. */
  readonly postgresUrl: string;
  readonly source: string;
  stop(): Promise<void>;
}

// Pinned like the compose file, for machines with a Docker engine.
const POSTGRES_IMAGE = 'postgres:17.6-alpine';

async function dockerAnswers(): Promise<boolean> {
  if (process.env.TESTCONTAINERS === 'off') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function fromTestcontainers(env: NodeJS.ProcessEnv): Promise<TestEnvironment> {
  const stops: (() => Promise<unknown>)[] = [];
  let kafkaBrokers = env.KAFKA_BROKERS;
  if (kafkaBrokers === undefined) {
    const kafka = await startKafkaContainer();
    stops.push(() => kafka.stop());
    kafkaBrokers = kafka.brokers;
  }
  let postgresUrl = env.DATABASE_URL;
  if (postgresUrl === undefined) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const postgres = await new PostgreSqlContainer(POSTGRES_IMAGE).start();
    stops.push(() => postgres.stop());
    postgresUrl = postgres.getConnectionUri();
  }
  return {
    kafkaBrokers,
    postgresUrl,
    source: 'testcontainers',
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

async function fromLocalInfra(env: NodeJS.ProcessEnv): Promise<TestEnvironment> {
  const postgres = await resolvePostgres(env);
  let kafkaBrokers = env.KAFKA_BROKERS;
  let stopKafka = () => Promise.resolve();
  if (kafkaBrokers === undefined || kafkaBrokers === '') {
    const name = `test-${process.pid}`;
    try {
      const broker = await startKafkaBroker({
        name,
        port: await freePort(),
        controllerPort: await freePort(),
      });
      kafkaBrokers = broker.brokers.join(',');
    } catch (error) {
      const why = error instanceof MissingToolError ? error.message : String(error);
      throw new Error(
        `the tests need Kafka and none could be started: ${why}. ` +
          'Start one (npm run kafka:start) and set KAFKA_BROKERS=127.0.0.1:9092, or install Java 17 and Maven.',
        { cause: error },
      );
    }
    stopKafka = () => stopKafkaBroker(name, { removeData: true });
  }
  return {
    kafkaBrokers,
    postgresUrl: postgres.url,
    source: `local (PostgreSQL: ${postgres.source})`,
    stop: async () => {
      await stopKafka();
      await postgres.stop();
    },
  };
}

/**
 * The one place tests get their infrastructure: endpoints from the environment when set
 * (KAFKA_BROKERS, DATABASE_URL); else testcontainers when a Docker engine answers; else the
 * local Kafka broker and PostgreSQL of infra/local. Never skips: it fails and says what to start.
 */
export async function resolveTestEnvironment(env = process.env): Promise<TestEnvironment> {
  const kafkaSet = env.KAFKA_BROKERS !== undefined && env.KAFKA_BROKERS !== '';
  const postgresSet = env.DATABASE_URL !== undefined && env.DATABASE_URL !== '';
  if (kafkaSet && postgresSet) {
    return {
      kafkaBrokers: env.KAFKA_BROKERS ?? '',
      postgresUrl: env.DATABASE_URL ?? '',
      source: 'environment',
      stop: () => Promise.resolve(),
    };
  }
  if (await dockerAnswers()) return fromTestcontainers(env);
  return fromLocalInfra(env);
}
