import { expect } from 'vitest';
import { z } from 'zod';

/** Ory's errorGeneric body, as a client of the authority reads it. */
export const errorGenericBody = z.object({
  error: z.object({
    code: z.number().int(),
    status: z.string().min(1),
    message: z.string().min(1),
    reason: z.string().optional(),
    request: z.string().min(1),
    debug: z.string().optional(),
  }),
});

/** An HTTP answer as either a fetch Response (read) or fastify's inject gives it. */
export interface ReadAnswer {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: string;
}

/** A non-2xx answer is Ory's errorGeneric, with this code, the request id, and the reason if given. */
export function expectErrorGeneric(answer: ReadAnswer, code: number, reason?: string): void {
  expect(answer.status, answer.body).toBe(code);
  expect(answer.header('content-type')).toMatch(/^application\/json/);
  const body = errorGenericBody.parse(JSON.parse(answer.body));
  expect(body.error.code).toBe(code);
  expect(body.error.request).toBe(answer.header('x-request-id'));
  if (reason !== undefined) expect(body.error.reason).toBe(reason);
}
