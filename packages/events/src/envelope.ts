/** CloudEvents 1.0 attributes carried by every event on the log (binary mode: attributes in headers). */
export interface EventEnvelope<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly source: string;
  readonly type: Type;
  readonly time: string;
  /** The session id; also the Kafka key, so one session's events stay in order. */
  readonly subject: string;
  readonly data: Data;
}

/** A log record as the transport gives it, independent of the Kafka client library. */
export interface RawRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | undefined>>;
}

export const CONTENT_TYPE = 'application/json';

export function encodeEnvelope(envelope: EventEnvelope): RawRecord {
  return {
    key: Buffer.from(envelope.subject),
    value: Buffer.from(JSON.stringify(envelope.data)),
    headers: {
      ce_specversion: '1.0',
      ce_id: envelope.id,
      ce_source: envelope.source,
      ce_type: envelope.type,
      ce_time: envelope.time,
      ce_subject: envelope.subject,
      'content-type': CONTENT_TYPE,
    },
  };
}

export type EnvelopeReadResult =
  | { readonly ok: true; readonly envelope: EventEnvelope }
  | { readonly ok: false; readonly problem: string };

const REQUIRED_HEADERS = ['ce_id', 'ce_source', 'ce_type', 'ce_time', 'ce_subject'] as const;

function headerText(value: Buffer | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** Reads the CloudEvents attributes and the JSON data; the data itself is validated by the registry. */
export function readEnvelope(record: RawRecord): EnvelopeReadResult {
  if (headerText(record.headers.ce_specversion) !== '1.0') {
    return { ok: false, problem: 'ce_specversion is not 1.0' };
  }
  const attributes: Partial<Record<(typeof REQUIRED_HEADERS)[number], string>> = {};
  for (const name of REQUIRED_HEADERS) {
    const value = headerText(record.headers[name]);
    if (value === undefined || value.length === 0)
      return { ok: false, problem: `${name} is missing` };
    attributes[name] = value;
  }
  const contentType = headerText(record.headers['content-type']);
  // Parameters and case are allowed; most records carry exactly CONTENT_TYPE.
  if (
    contentType !== CONTENT_TYPE &&
    contentType?.split(';')[0]?.trim().toLowerCase() !== CONTENT_TYPE
  ) {
    return { ok: false, problem: 'content-type is not application/json' };
  }
  if (record.value === null) return { ok: false, problem: 'the record has no value' };
  let data: unknown;
  try {
    data = JSON.parse(record.value.toString('utf8'));
  } catch {
    return { ok: false, problem: 'the value is not JSON' };
  }
  return {
    ok: true,
    envelope: {
      id: attributes.ce_id ?? '',
      source: attributes.ce_source ?? '',
      type: attributes.ce_type ?? '',
      time: attributes.ce_time ?? '',
      subject: attributes.ce_subject ?? '',
      data,
    },
  };
}
