/** The answer cannot be confirmed now; the client may retry (every command here is idempotent). */
export class UnavailableError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause: unknown },
  ) {
    super(reason, options);
    this.name = 'UnavailableError';
  }
}

/** The thing a command names does not exist. */
export class NotFoundError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotFoundError';
  }
}

/** The command would append an event the projector cannot read; nothing was appended. */
export class RejectedEventError extends Error {
  constructor(readonly problem: string) {
    super(`the event would be rejected: ${problem}`);
    this.name = 'RejectedEventError';
  }
}

/** Runs a read of the read model; any failure of it is an UnavailableError (retry). */
export async function readOrUnavailable<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new UnavailableError(REASONS.readModelDown, { cause: error });
  }
}

/** The reasons these errors carry to the client, each written once. */
export const REASONS = {
  readModelDown: 'The session store is unavailable; retry the request.',
  logDown: 'The event log is unavailable; retry the request.',
  notVisible: 'The change is recorded but not yet visible to every replica; retry the request.',
  overloaded: 'Too many writes are waiting on this replica; retry the request.',
  noSuchSession: 'No session has this id.',
  noIdentitySessions: 'This identity has no sessions.',
} as const;
