/** What the OpenAPI documents say of answers that several routes give, each written once. */
export const DOCS = {
  unauthorized: 'Missing or wrong admin key.',
  readModelDown: 'The read model is unavailable.',
  notConfirmed: 'The log or the read model could not confirm the change in time; retry.',
  unknownSession: 'Unknown session.',
  onePage: 'One page, in id order.',
  badSessionId: 'Invalid session id: a UUID is expected.',
} as const;
