import { pino, type Logger } from 'pino';

export function createLogger(level: string, instanceId: string): Logger {
  return pino({ level, base: { service: 'projector', instance: instanceId } });
}
