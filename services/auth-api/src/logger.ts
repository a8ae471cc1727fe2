import { pino, type DestinationStream, type Logger } from 'pino';

/** Tokens and the admin key must never reach a log line, whatever a future log call passes. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-session-token"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-session-token"]',
  'session_token',
  '*.session_token',
  'body.session_token',
  'token',
  '*.token',
];

export function createLogger(
  level: string,
  instanceId: string,
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service: 'auth-api', instance: instanceId },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
