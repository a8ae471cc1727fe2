import { z } from 'zod';

/** Ory's errorGeneric body: every non-2xx answer of both ports has this shape. */
export const errorGenericSchema = z
  .object({
    error: z.object({
      code: z.number().int(),
      status: z.string(),
      message: z.string(),
      reason: z.string().optional(),
      request: z.string(),
      debug: z.string().optional(),
    }),
  })
  .meta({ id: 'errorGeneric' });

export type ErrorGeneric = z.infer<typeof errorGenericSchema>;

const STATUS: Record<number, { status: string; message: string }> = {
  400: {
    status: 'Bad Request',
    message: 'The request was malformed or contained invalid parameters',
  },
  401: { status: 'Unauthorized', message: 'The request could not be authorized' },
  403: { status: 'Forbidden', message: 'The requested action was forbidden' },
  404: { status: 'Not Found', message: 'The requested resource could not be found' },
  405: {
    status: 'Method Not Allowed',
    message: 'The request method is not supported by this resource',
  },
  408: { status: 'Request Timeout', message: 'The request took too long to arrive' },
  413: { status: 'Payload Too Large', message: 'The request body is too large' },
  414: { status: 'URI Too Long', message: 'The request path is too long' },
  415: {
    status: 'Unsupported Media Type',
    message: 'The request body has an unsupported media type',
  },
  429: { status: 'Too Many Requests', message: 'Too many requests, retry later' },
  431: {
    status: 'Request Header Fields Too Large',
    message: 'The request headers are too large',
  },
  500: {
    status: 'Internal Server Error',
    message: 'An internal server error occurred, please contact the system administrator',
  },
  503: {
    status: 'Service Unavailable',
    message: 'The service is temporarily unavailable, retry later',
  },
};

/** An answer the handlers choose on purpose; anything else thrown becomes a 500 without details. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly reason: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, reason?: string, headers: Record<string, string> = {}) {
    super(reason ?? STATUS[statusCode]?.message ?? 'error');
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.reason = reason;
    this.headers = headers;
  }
}

export function errorGeneric(
  code: number,
  requestId: string,
  reason?: string,
  debug?: string,
): ErrorGeneric {
  const known = STATUS[code] ?? STATUS[code >= 500 ? 500 : 400];
  return {
    error: {
      code,
      status: known?.status ?? 'Error',
      message: known?.message ?? 'error',
      ...(reason === undefined ? {} : { reason }),
      request: requestId,
      ...(debug === undefined ? {} : { debug }),
    },
  };
}
