import { hostname } from 'node:os';
import { z } from 'zod';
import { port, positiveInt } from './env-fields.js';
import { parseConfig } from './parse-config.js';
import { databaseEnv, kafkaEnv, loggingEnv } from './shared-env.js';

export const projectorEnvSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...loggingEnv,
  HOST: z.string().min(1).default('127.0.0.1'),
  PROJECTOR_PORT: port(4435),
  PROJECTOR_GROUP_ID: z.string().min(1).default('session-projector'),
  INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  SHUTDOWN_GRACE_MS: positiveInt(10_000),
});

export type ProjectorEnv = z.output<typeof projectorEnvSchema>;

export function loadProjectorConfig(
  env: Record<string, string | undefined> = process.env,
): ProjectorEnv {
  return parseConfig('projector', projectorEnvSchema, env);
}
