import { z } from 'zod';
import {
  durationMs,
  flag,
  optionalDurationMs,
  port,
  positiveInt,
  trustedProxies,
} from './env-fields.js';
import { parseConfig } from './parse-config.js';
import { serviceEnv } from './shared-env.js';

export const authApiEnvSchema = z.object({
  ...serviceEnv,
  PUBLIC_PORT: port(4433),
  ADMIN_PORT: port(4434),
  PUBLIC_BASE_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'empty or a path such as /auth, without a trailing slash')
    .default('/auth'),
  ADMIN_API_KEY: z
    .string()
    .min(32, 'at least 32 characters; generate one with `openssl rand -hex 32`'),
  CONSISTENCY_WAIT_MS: positiveInt(5000),
  /** Of CONSISTENCY_WAIT_MS, the most an append may wait for the log's acknowledgement. */
  LOG_APPEND_TIMEOUT_MS: positiveInt(1500),
  /** Writes in flight on one replica beyond which the next is answered 503 at once. */
  MAX_PENDING_WRITES: positiveInt(128),
  /** How long the oldest write in flight may have waited before new ones are answered 503 at once. */
  WRITE_QUEUE_MAX_MS: positiveInt(500),
  PROJECTION_WATERMARK_POLL_MS: positiveInt(200),
  /** The old name of PROJECTION_WATERMARK_POLL_MS: refused, so that it is not silently ignored. */
  CONSISTENCY_POLL_MS: z
    .undefined({ error: 'renamed to PROJECTION_WATERMARK_POLL_MS; set that instead' })
    .optional(),
  BODY_LIMIT_BYTES: positiveInt(8192),
  SESSION_DEFAULT_LIFESPAN: durationMs('24h'),
  /** The longest lifespan an issue request may ask for. */
  SESSION_MAX_LIFESPAN: durationMs('8760h'),
  /**
   * Kratos's session.earliest_possible_extend: PATCH /admin/sessions/{id}/extend extends only a
   * session with at most this much life left. Unset: always.
   */
  SESSION_EARLIEST_POSSIBLE_EXTEND: optionalDurationMs,
  LOGOUT_FORBIDDEN_LIMIT: positiveInt(60),
  LOGOUT_FORBIDDEN_WINDOW_MS: positiveInt(60_000),
  REQUEST_TIMEOUT_MS: positiveInt(10_000),
  TRUST_PROXY: trustedProxies,
  DEBUG: flag(false),
});

export type AuthApiEnv = ReturnType<typeof loadAuthApiConfig>;

export function loadAuthApiConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig('auth-api', authApiEnvSchema, env);
}
