import type { z } from 'zod';
import { readKafkaSecurity, type KafkaSecurity } from './kafka-security.js';
import type { kafkaEnv } from './shared-env.js';

/** Thrown at start when the environment does not satisfy a service's schema; lists every problem. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(service: string, problems: readonly string[]) {
    super(`invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment with a service's schema; Kafka's TLS and SASL files are read too. */
export function parseConfig<Schema extends z.ZodType<z.output<z.ZodObject<typeof kafkaEnv>>>>(
  service: string,
  schema: Schema,
  env: Record<string, string | undefined>,
): z.output<Schema> & { readonly KAFKA_SECURITY: KafkaSecurity } {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(environment)';
      return `${key}: ${issue.message}`;
    });
    throw new ConfigError(service, problems);
  }
  const { security, problems } = readKafkaSecurity(result.data);
  if (problems.length > 0) throw new ConfigError(service, problems);
  return { ...result.data, KAFKA_SECURITY: security };
}
