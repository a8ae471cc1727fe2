import { Kafka, logLevel, type LogEntry, type RetryOptions, type SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { silentLogger, type KafkaConnection, type KafkaSecurity, type LogLogger } from './types.js';

/** Does not apply: a producer whose send failed is replaced (see createIdempotentProducer). */
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

function logCreator(logger: LogLogger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...details } = log;
      if (message.startsWith(BOUNDED_RETRIES_WARNING)) return;
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

function tlsOptions(ssl: NonNullable<KafkaSecurity['ssl']>): ConnectionOptions | true {
  if (ssl.ca === undefined && ssl.cert === undefined) return true;
  return {
    ...(ssl.ca === undefined ? {} : { ca: [ssl.ca] }),
    ...(ssl.cert === undefined ? {} : { cert: ssl.cert }),
    ...(ssl.key === undefined ? {} : { key: ssl.key }),
  };
}

const CLIENT_RETRY: RetryOptions = { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 };

/**
 * `retry` is the client's own (metadata, coordinators, connections), which every consumer, producer
 * and admin made from it uses under its own retries: when it runs out, theirs stop too.
 */
export function createKafka(
  connection: KafkaConnection,
  retry: RetryOptions = CLIENT_RETRY,
): Kafka {
  hideKafkajsTimerWarning();
  const { ssl, sasl } = connection.security ?? {};
  return new Kafka({
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    ...(ssl === undefined ? {} : { ssl: tlsOptions(ssl) }),
    ...(sasl === undefined ? {} : { sasl: { ...sasl } as SASLOptions }),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry,
    logLevel: logLevel.WARN,
    logCreator: logCreator(connection.logger ?? silentLogger),
  });
}
