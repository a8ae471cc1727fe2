import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * Registers @fastify/swagger on a port before its routes: the OpenAPI 3.1 document is built from
 * the routes' own zod schemas. Routes with `hide: true` (operations, 405s) stay out of it.
 */
export async function documentRoutes(
  app: FastifyInstance,
  options: { readonly title: string; readonly serverUrl: string; readonly bearer?: boolean },
): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: '1.0.0' },
      servers: [{ url: options.serverUrl }],
      ...(options.bearer === true
        ? {
            components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer' } } },
            security: [{ adminKey: [] }],
          }
        : {}),
    },
    stripBasePath: true,
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
}
