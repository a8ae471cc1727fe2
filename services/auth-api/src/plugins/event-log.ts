import type { AuthApiEnv } from '@session-authority/config';
import {
  createKafkaAppender,
  type EventAppender,
  type KafkaConnection,
} from '@session-authority/event-log';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    eventLog: EventAppender;
  }
}

/** The Kafka producer every command appends through. */
export const eventLogPlugin = fp<{ config: AuthApiEnv; kafka: KafkaConnection }>(
  async (app, { config, kafka }) => {
    const appender = await createKafkaAppender({ ...kafka, topic: config.KAFKA_TOPIC });
    app.addHook('onClose', () => appender.close());
    app.decorate('eventLog', appender);
  },
  { name: 'event-log' },
);
