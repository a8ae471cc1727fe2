import fastifySwagger, { type SwaggerTransform } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Responses = Record<string, unknown>;

/**
 * jsonSchemaTransform, keeping response headers (the type provider drops them): they are taken
 * out before and put back after, where @fastify/swagger reads them.
 */
const transform: SwaggerTransform = (input) => {
  const response = (input.schema as { response?: Responses } | undefined)?.response;
  if (response === undefined) return jsonSchemaTransform(input);
  const headers = new Map<string, unknown>();
  const stripped: Responses = {};
  for (const [code, answer] of Object.entries(response)) {
    if (answer !== null && typeof answer === 'object' && 'headers' in answer) {
      const { headers: own, ...rest } = answer as { headers: unknown; description: string };
      headers.set(code, own);
      stripped[code] = 'content' in rest ? rest : z.undefined().describe(rest.description);
    } else {
      stripped[code] = answer;
    }
  }
  const out = jsonSchemaTransform({ ...input, schema: { ...input.schema, response: stripped } });
  const transformed = (out.schema as { response: Responses }).response;
  for (const [code, own] of headers) {
    transformed[code] = { ...(transformed[code] as object), headers: own };
  }
  return out;
};

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
    transform,
    transformObject: jsonSchemaTransformObject,
  });
}
