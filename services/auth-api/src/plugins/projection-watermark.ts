import type { AuthApiEnv } from '@session-authority/config';
import { PostgresProjectionWatermark, SESSIONS_PROJECTION } from '@session-authority/read-model';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    projectionWatermark: PostgresProjectionWatermark;
  }
}

/** Follows the sessions projection's offsets: tells a replica when its events are applied. */
export const projectionWatermarkPlugin = fp<{ config: AuthApiEnv }>(
  async (app, { config }) => {
    const watermark = new PostgresProjectionWatermark({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      projection: SESSIONS_PROJECTION,
      topic: config.KAFKA_TOPIC,
      pollMs: config.PROJECTION_WATERMARK_POLL_MS,
      onError: (err) => app.log.warn({ err }, 'projection watermark connection problem'),
    });
    await watermark.start();
    app.addHook('onClose', () => watermark.close());
    app.decorate('projectionWatermark', watermark);
  },
  { name: 'projection-watermark' },
);
