import { z } from 'zod';
import { port, positiveInt } from './env-fields.js';
import { parseConfig } from './parse-config.js';
import { feedEnv, kafkaEnv, loggingEnv } from './shared-env.js';

/** The example downstream service: no database, only the log and the feed. */
export const exampleResourceEnvSchema = z.object({
  ...kafkaEnv,
  ...feedEnv,
  ...loggingEnv,
  HOST: z.string().min(1).default('127.0.0.1'),
  EXAMPLE_PORT: port(4436),
  /** How long a request that names a Session-Log-Position waits for it before a 503. */
  EXAMPLE_WAIT_TIMEOUT_MS: positiveInt(2000),
});

export type ExampleResourceEnv = ReturnType<typeof loadExampleResourceConfig>;

export function loadExampleResourceConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig('example-resource', exampleResourceEnvSchema, env);
}
