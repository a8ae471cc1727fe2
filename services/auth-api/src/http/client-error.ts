import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { errorGeneric } from './error-generic.js';

const REASONS: Record<number, string> = {
  400: 'The request is not valid HTTP.',
  408: 'The request took too long to arrive.',
  431: 'The request headers are too large.',
};

function statusOf(code: string | undefined): number {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/**
 * Answers bytes node's HTTP parser rejects (before fastify sees a request) with errorGeneric,
 * so that even garbage on the socket gets the documented body.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const code = statusOf(error.code);
    const id = randomUUID();
    const body = JSON.stringify(errorGeneric(code, id, REASONS[code]));
    socket.write(
      `HTTP/1.1 ${code} ${errorGeneric(code, id).error.status}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-ID: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
