import { UnavailableError } from '../sessions/session-service.js';
import { HttpError } from './error-generic.js';

/** Turns "cannot confirm now" into a retryable 503; rethrows anything else. */
export function asUnavailable(error: unknown): never {
  if (error instanceof UnavailableError)
    throw new HttpError(503, error.reason, { 'retry-after': '1' });
  throw error;
}
