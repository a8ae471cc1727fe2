import { readFileSync } from 'node:fs';
import type { KafkaSecurity } from '@session-authority/event-log';
import { z } from 'zod';
import { flag } from './env-fields.js';

export type { KafkaSecurity };

export const kafkaSecurityEnv = {
  KAFKA_SSL: flag(false),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().min(1).optional(),
};

type SecurityEnv = z.output<z.ZodObject<typeof kafkaSecurityEnv>>;

/** The files named by the settings, read now; every problem is returned, none thrown. */
export function readKafkaSecurity(env: SecurityEnv): {
  security: KafkaSecurity;
  problems: string[];
} {
  const problems: string[] = [];
  const read = (key: keyof SecurityEnv, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      problems.push(
        `${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      return undefined;
    }
  };
  const tlsFiles = [env.KAFKA_SSL_CA_FILE, env.KAFKA_SSL_CERT_FILE, env.KAFKA_SSL_KEY_FILE];
  if (!env.KAFKA_SSL && tlsFiles.some((file) => file !== undefined))
    problems.push('KAFKA_SSL: the TLS files are set, so KAFKA_SSL=true is expected');
  if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined))
    problems.push('KAFKA_SSL_CERT_FILE: a client certificate and its key go together');
  const ca = read('KAFKA_SSL_CA_FILE', env.KAFKA_SSL_CA_FILE);
  const cert = read('KAFKA_SSL_CERT_FILE', env.KAFKA_SSL_CERT_FILE);
  const key = read('KAFKA_SSL_KEY_FILE', env.KAFKA_SSL_KEY_FILE);
  const ssl = env.KAFKA_SSL
    ? {
        ...(ca === undefined ? {} : { ca }),
        ...(cert === undefined ? {} : { cert }),
        ...(key === undefined ? {} : { key }),
      }
    : undefined;

  let sasl: KafkaSecurity['sasl'];
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism !== undefined) {
    if (env.KAFKA_SASL_USERNAME === undefined)
      problems.push('KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM');
    if ((env.KAFKA_SASL_PASSWORD === undefined) === (env.KAFKA_SASL_PASSWORD_FILE === undefined))
      problems.push('KAFKA_SASL_PASSWORD: exactly one of it and KAFKA_SASL_PASSWORD_FILE');
    const password =
      env.KAFKA_SASL_PASSWORD ??
      read('KAFKA_SASL_PASSWORD_FILE', env.KAFKA_SASL_PASSWORD_FILE)?.trim();
    if (env.KAFKA_SASL_USERNAME !== undefined && password !== undefined)
      sasl = { mechanism, username: env.KAFKA_SASL_USERNAME, password };
  } else if (env.KAFKA_SASL_USERNAME !== undefined) {
    problems.push('KAFKA_SASL_MECHANISM: plain, scram-sha-256 or scram-sha-512, with a username');
  }
  return {
    security: { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) },
    problems,
  };
}
