import { expectErrorGeneric as expectAnswer } from '@session-authority/testkit';

export interface Answer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
}

/** fastify's inject answer, checked as any client's: Ory's errorGeneric with this code. */
export function expectErrorGeneric(answer: Answer, code: number, reason?: string): void {
  const header = (name: string) => {
    const value = answer.headers[name];
    return value === undefined ? undefined : String(value);
  };
  expectAnswer({ status: answer.statusCode, header, body: answer.body }, code, reason);
}
