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

let warningFilterInstalled = false;

/**
 * kafkajs 2.2 arms timers with negative delays, which Node 24 reports as TimeoutNegativeWarning
 * on every start (the delay is treated as 1 ms, which is what kafkajs means). Hide only that one.
 */
function hideKafkajsTimerWarning(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const listener of listeners) listener(warning);
  });
}

export function createKafka(connection: KafkaConnection): Kafka {
  hideKafkajsTimerWarning();
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
