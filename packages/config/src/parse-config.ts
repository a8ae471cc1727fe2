import type { z } from 'zod';

/** Thrown at start when the environment does not satisfy a service's schema; lists every problem. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(service: string, problems: readonly string[]) {
    super(`invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function parseConfig<Schema extends z.ZodType>(
  service: string,
  schema: Schema,
  env: Record<string, string | undefined>,
): z.output<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(environment)';
    return `${key}: ${issue.message}`;
  });
  throw new ConfigError(service, problems);
}
