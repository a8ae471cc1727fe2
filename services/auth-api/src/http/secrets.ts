const TOKEN_SHAPED = /ory_st_[A-Za-z0-9]*/gi;
export const REDACTED = '[redacted]';

/**
 * Replaces anything shaped like a session token, and every given secret (the admin key),
 * wherever it stands in a text that may be logged or echoed, such as a path or a request id.
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const literal = secrets.filter((secret) => secret.length > 0);
  return (text) => {
    let redacted = text.replace(TOKEN_SHAPED, `ory_st_${REDACTED}`);
    for (const secret of literal) redacted = redacted.split(secret).join(REDACTED);
    return redacted;
  };
}
