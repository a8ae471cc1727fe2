import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { silentLogger, type KafkaConnection, type LogLogger } from './types.js';

function logCreator(logger: LogLogger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...details } = log;
      if (level === logLevel.ERROR) logger.error({ kafka: details }, message);
      else if (level === logLevel.WARN) logger.warn({ kafka: details }, message);
      else logger.debug({ kafka: details }, message);
    };
}

export function createKafka(connection: KafkaConnection): Kafka {
  return new Kafka({
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator: logCreator(connection.logger ?? silentLogger),
  });
}
