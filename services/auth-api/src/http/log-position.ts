import { formatLogPositions, type LogPosition } from '@session-authority/event-log';
import type { FastifyReply } from 'fastify';

export const LOG_POSITION_HEADER = 'session-log-position';

/** Sets `Session-Log-Position` when the answer appended events; an answer that did not has none. */
export function withLogPosition(
  reply: FastifyReply,
  positions: readonly LogPosition[],
): FastifyReply {
  return positions.length === 0
    ? reply
    : reply.header(LOG_POSITION_HEADER, formatLogPositions(positions));
}
