import { isIP } from 'node:net';
import { DURATION_PATTERN, parseDuration } from '@session-authority/sessions';
import { z } from 'zod';

export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);

export const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);

export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const brokerList = z
  .string()
  .default('127.0.0.1:9092')
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker.length > 0),
  )
  .refine((brokers) => brokers.length > 0, 'at least one broker, as host:port[,host:port]');

export const postgresUrl = z
  .string()
  .default('postgres://postgres@127.0.0.1:5432/session_authority')
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'a postgres:// URL');

/** A Go-style duration such as 24h or 90m, read as milliseconds. */
export const durationMs = (fallback: string) =>
  z
    .string()
    .regex(DURATION_PATTERN, 'a duration such as 24h or 90m')
    .default(fallback)
    .transform((text, context) => {
      const ms = parseDuration(text);
      if (ms === undefined) context.addIssue({ code: 'custom', message: 'a positive duration' });
      return ms ?? 0;
    });

/** A duration that may be left unset or empty (then undefined): a limit that is off unless configured. */
export const optionalDurationMs = z
  .union([z.literal(''), z.string().regex(DURATION_PATTERN, 'a duration such as 24h or 90m')])
  .optional()
  .transform((text, context) => {
    if (text === undefined || text === '') return undefined;
    const ms = parseDuration(text);
    if (ms === undefined) context.addIssue({ code: 'custom', message: 'a positive duration' });
    return ms;
  });

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies' X-Forwarded-For to believe: a hop count (0: none) or a list of addresses and
 * CIDRs. Never "all": then any client could choose its own address and dodge the 403 limit.
 */
export const trustedProxies = z
  .string()
  .default('0')
  .transform((value, context): number | string[] => {
    const text = value.trim();
    if (/^\d+$/.test(text)) return Number(text);
    const entries = text.split(',').map((entry) => entry.trim());
    const wrong = entries.filter((entry) => !isAddressOrCidr(entry));
    if (wrong.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `a hop count or a list of addresses and CIDRs, never "true"; not understood: ${wrong.join(', ')}`,
      });
    }
    return entries;
  });
