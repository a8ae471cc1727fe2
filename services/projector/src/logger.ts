import { pino, type Logger } from 'pino';

/** `fd` 2 keeps a command's own output on stdout free of log lines. */
export function createLogger(level: string, instanceId: string, fd: 1 | 2 = 1): Logger {
  return pino(
    { level, base: { service: 'projector', instance: instanceId } },
    pino.destination(fd),
  );
}
