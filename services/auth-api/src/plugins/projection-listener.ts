import type { AuthApiEnv } from '@session-authority/config';
import { ProjectionWatermark, SESSIONS_PROJECTION } from '@session-authority/read-model';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    projectionListener: ProjectionWatermark;
  }
}

/** The LISTEN connection that tells a replica when the projection has applied its events. */
export const projectionListenerPlugin = fp<{ config: AuthApiEnv }>(
  async (app, { config }) => {
    const watermark = new ProjectionWatermark({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      projection: SESSIONS_PROJECTION,
      topic: config.KAFKA_TOPIC,
      pollMs: config.CONSISTENCY_POLL_MS,
      onError: (err) => app.log.warn({ err }, 'projection listener connection problem'),
    });
    await watermark.start();
    app.addHook('onClose', () => watermark.close());
    app.decorate('projectionListener', watermark);
  },
  { name: 'projection-listener' },
);
