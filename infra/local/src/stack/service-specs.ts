import { join } from 'node:path';
import { repoRoot } from '../paths.js';
import type { ServiceSpec } from './service-process.js';

/** The projector process of a stack; `env` carries what every service shares. */
export function projectorSpec(
  name: string,
  port: number,
  env: Record<string, string>,
): ServiceSpec {
  return {
    name,
    entry: join(repoRoot, 'services/projector/dist/main.js'),
    env: { ...env, PROJECTOR_PORT: String(port), INSTANCE_ID: name },
    healthUrl: `http://127.0.0.1:${port}`,
  };
}

/** One API replica of a stack; its health answers on the public port. */
export function apiSpec(
  name: string,
  ports: { readonly public: number; readonly admin: number },
  env: Record<string, string>,
): ServiceSpec {
  return {
    name,
    entry: join(repoRoot, 'services/auth-api/dist/server.js'),
    env: {
      ...env,
      PUBLIC_PORT: String(ports.public),
      ADMIN_PORT: String(ports.admin),
      INSTANCE_ID: name,
    },
    healthUrl: `http://127.0.0.1:${ports.public}`,
  };
}

/** The example downstream service (services/example-resource): the log and the feed, no database. */
export function exampleSpec(name: string, port: number, env: Record<string, string>): ServiceSpec {
  return {
    name,
    entry: join(repoRoot, 'services/example-resource/dist/main.js'),
    env: { ...env, EXAMPLE_PORT: String(port) },
    healthUrl: `http://127.0.0.1:${port}`,
  };
}
