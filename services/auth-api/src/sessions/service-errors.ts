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
