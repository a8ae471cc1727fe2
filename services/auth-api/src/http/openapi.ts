import { z } from 'zod';
import { errorGenericSchema } from './error-generic.js';

export interface RouteDoc {
  readonly method: 'get' | 'post' | 'delete';
  /** OpenAPI path, with {params}. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly params?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly headers?: readonly { name: string; description: string }[];
  readonly responses: Readonly<Record<number, { description: string; schema?: z.ZodType }>>;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

/** OpenAPI 3.1 from the very zod schemas the handlers validate with. */
export function buildOpenApiDocument(
  title: string,
  serverUrl: string,
  routes: readonly RouteDoc[],
  security?: 'bearer',
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [
      ...Object.keys(route.params?.shape ?? {}).map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: jsonSchema(route.params?.shape[name] as z.ZodType, 'input'),
      })),
      ...(route.headers ?? []).map((h) => ({
        name: h.name,
        in: 'header',
        required: false,
        description: h.description,
        schema: { type: 'string' },
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [code, response] of Object.entries(route.responses)) {
      const schema = response.schema ?? (Number(code) >= 400 ? errorGenericSchema : undefined);
      responses[code] = {
        description: response.description,
        ...(schema === undefined
          ? {}
          : { content: { 'application/json': { schema: jsonSchema(schema, 'output') } } }),
      };
    }
    paths[route.path] ??= {};
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        operationId: route.operationId,
        summary: route.summary,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(route.body === undefined
          ? {}
          : {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
              },
            }),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title, version: '1.0.0' },
    servers: [{ url: serverUrl }],
    paths,
    ...(security === 'bearer'
      ? {
          components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer' } } },
          security: [{ adminKey: [] }],
        }
      : {}),
  };
}
