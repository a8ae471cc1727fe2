import { expect } from 'vitest';
import { errorGenericSchema } from '../../src/http/error-generic.js';

export interface Answer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
}

/** A non-2xx answer is Ory's errorGeneric, with this code, the request id, and the reason if given. */
export function expectErrorGeneric(answer: Answer, code: number, reason?: string): void {
  expect(answer.statusCode, answer.body).toBe(code);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const body = errorGenericSchema.parse(JSON.parse(answer.body));
  expect(body.error.code).toBe(code);
  expect(body.error.request).toBe(answer.headers['x-request-id']);
  if (reason !== undefined) expect(body.error.reason).toBe(reason);
}
