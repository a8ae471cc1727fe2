import { z } from 'zod';
import { port, positiveInt } from './env-fields.js';
import { parseConfig } from './parse-config.js';
import { serviceEnv } from './shared-env.js';

export const projectorEnvSchema = z.object({
  ...serviceEnv,
  PROJECTOR_PORT: port(4435),
  PROJECTOR_GROUP_ID: z.string().min(1).default('session-projector'),
  /** How long a follower waits for the leader to apply a batch before it applies it itself. */
  PROJECTOR_FOLLOWER_GRACE_MS: positiveInt(500),
});

export type ProjectorEnv = ReturnType<typeof loadProjectorConfig>;

export function loadProjectorConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig('projector', projectorEnvSchema, env);
}
