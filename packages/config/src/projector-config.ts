import { z } from 'zod';
import { port, positiveInt } from './env-fields.js';
import { parseConfig } from './parse-config.js';
import { feedEnv, serviceEnv } from './shared-env.js';

export const projectorEnvSchema = z
  .object({
    ...serviceEnv,
    PROJECTOR_PORT: port(4435),
    PROJECTOR_GROUP_ID: z.string().min(1).default('session-projector'),
    /** How long a follower waits for the leader to apply a batch before it applies it itself. */
    PROJECTOR_FOLLOWER_GRACE_MS: positiveInt(500),
    ...feedEnv,
    /**
     * The compacted copy of the sessions projection a rebuild starts from instead of offset 0
     * (`npm run rebuild -- --from-state`); the projector writes it before each batch commits.
     */
    SESSION_STATE_TOPIC: z.string().min(1).default('session-state'),
    /** How often the leader tombstones the feed entries of sessions that have expired. */
    FEED_SWEEP_INTERVAL_MS: positiveInt(60_000),
    /**
     * The projections this projector keeps: `sessions` always, `audit` unless left out (a
     * projector without it makes audit queries and verify fall behind; the benchmark uses that to
     * measure what the audit projection costs).
     */
    /**
     * The Ed25519 private key (PEM) that `npm run audit -- verify` signs checkpoints with: a file,
     * or the PEM itself from a secret store. The database never holds it.
     */
    AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
    AUDIT_SIGNING_KEY: z.string().min(1).optional(),
    PROJECTIONS: z
      .string()
      .default('sessions,audit')
      .transform((text) => text.split(',').map((name) => name.trim()))
      .pipe(
        z
          .array(z.enum(['sessions', 'audit']))
          .refine((names) => names.includes('sessions'), 'sessions is always one of them'),
      ),
  })
  .refine(
    (env) => env.AUDIT_SIGNING_KEY_FILE === undefined || env.AUDIT_SIGNING_KEY === undefined,
    {
      message: 'set AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY, not both',
      path: ['AUDIT_SIGNING_KEY'],
    },
  );

export type ProjectorEnv = ReturnType<typeof loadProjectorConfig>;

export function loadProjectorConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig('projector', projectorEnvSchema, env);
}
