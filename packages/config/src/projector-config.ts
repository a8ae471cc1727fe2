import { z } from 'zod';
import { port } from './env-fields.js';
import { parseConfig } from './parse-config.js';
import { serviceEnv } from './shared-env.js';

export const projectorEnvSchema = z.object({
  ...serviceEnv,
  PROJECTOR_PORT: port(4435),
  PROJECTOR_GROUP_ID: z.string().min(1).default('session-projector'),
});

export type ProjectorEnv = z.output<typeof projectorEnvSchema>;

export function loadProjectorConfig(
  env: Record<string, string | undefined> = process.env,
): ProjectorEnv {
  return parseConfig('projector', projectorEnvSchema, env);
}
