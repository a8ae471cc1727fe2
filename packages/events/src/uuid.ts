const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its text form, in either case (PostgreSQL's uuid type takes both). */
export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && UUID.test(value);
