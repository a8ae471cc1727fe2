import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { loadExampleResourceConfig } from '@session-authority/config';
import { createKafka } from '@session-authority/event-log';
import { RevocationClient } from '@session-authority/revocations';
import { buildExampleApp } from './example-app.js';

const config = loadExampleResourceConfig();
const logger = pino({ level: config.LOG_LEVEL, base: { service: 'example-resource' } });

const started = Date.now();
const revocations = await RevocationClient.start({
  kafka: createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'example-resource',
    logger,
    security: config.KAFKA_SECURITY,
  }),
  logTopic: config.KAFKA_TOPIC,
  feedTopic: config.FEED_TOPIC,
}).catch((error: unknown) => {
  logger.fatal(`example-resource cannot start: ${(error as Error).message}`);
  process.exit(1);
});
revocations.on('crash', (err) => logger.warn({ err }, 'revocation consumer crashed'));
logger.info(
  { revoked: revocations.size, ms: Date.now() - started },
  'revocations loaded from the feed and the log',
);

const app = buildExampleApp({ revocations, waitTimeoutMs: config.EXAMPLE_WAIT_TIMEOUT_MS, logger });
await app.listen({ host: config.HOST, port: config.EXAMPLE_PORT });

closeWithGrace({ delay: 10_000 }, async () => {
  await app.close();
  await revocations.close();
});
