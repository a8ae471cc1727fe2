import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_TOPIC, authApiEnvSchema, projectorEnvSchema } from '@session-authority/config';

interface ComposeService {
  environment?: Record<string, string | number>;
  expose?: string[];
  ports?: string[];
  command?: string[];
  deploy?: { replicas?: number };
}
const compose = parse(
  readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8'),
  { merge: true },
) as {
  services: Record<string, ComposeService>;
};
const nginx = readFileSync(new URL('../../../infra/nginx/nginx.conf', import.meta.url), 'utf8');

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** Compose interpolation as the default would resolve it: ${NAME:-default} -> default. */
function resolvedEnv(environment: Record<string, string | number> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [
      key,
      String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'),
    ]),
  );
}

describe('docker-compose.yml agrees with the config schemas', () => {
  const services = [
    ['auth-api', authApiEnvSchema],
    ['projector', projectorEnvSchema],
    ['setup', authApiEnvSchema],
  ] as const;

  it.each(services)('%s sets only variables its schema knows, and they parse', (name, schema) => {
    const env = resolvedEnv(service(name).environment);
    const known = Object.keys(schema.shape);
    expect(Object.keys(env).filter((key) => !known.includes(key))).toEqual([]);
    const result = schema.safeParse({ ADMIN_API_KEY: 'x'.repeat(32), ...env });
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('every service uses the default topic', () => {
    for (const [name] of services)
      expect(resolvedEnv(service(name).environment).KAFKA_TOPIC).toBe(DEFAULT_TOPIC);
  });

  it('the API listens where the load balancer sends traffic, and on all interfaces', () => {
    const env = authApiEnvSchema.parse({
      ADMIN_API_KEY: 'x'.repeat(32),
      ...resolvedEnv(service('auth-api').environment),
    });
    expect(env.HOST).toBe('0.0.0.0');
    expect(service('auth-api').expose).toEqual([String(env.PUBLIC_PORT), String(env.ADMIN_PORT)]);
    expect(nginx).toContain(`server auth-api:${env.PUBLIC_PORT};`);
    expect(nginx).toContain(`server auth-api:${env.ADMIN_PORT};`);
    expect(service('load-balancer').ports).toEqual([
      `${env.PUBLIC_PORT}:${env.PUBLIC_PORT}`,
      `${env.ADMIN_PORT}:${env.ADMIN_PORT}`,
    ]);
  });

  it('two projectors run, each exposing its configured port', () => {
    const env = projectorEnvSchema.parse(resolvedEnv(service('projector').environment));
    expect(service('projector').expose).toEqual([String(env.PROJECTOR_PORT)]);
    expect(service('projector').deploy?.replicas).toBe(2);
  });

  it('the commands name entry points that the build produces', () => {
    expect(service('auth-api').command).toEqual(['node', 'services/auth-api/dist/server.js']);
    expect(service('projector').command).toEqual(['node', 'services/projector/dist/main.js']);
    expect(service('setup').command).toEqual(['node', 'infra/local/dist/cli/migrate.js']);
  });
});
