import { createHash, randomUUID } from 'node:crypto';
import { encodeEnvelope, readEnvelope, type RawRecord } from './envelope.js';

/**
 * Every topic the authority creates (the log, the feed) starts with one identity record at
 * offset 0 of partition 0. Positions are only comparable within one log: a topic deleted and
 * created again, or a cluster restored from elsewhere, starts with another record, so a read
 * model that pinned the first one can tell it follows another log now.
 *
 * The record is a CloudEvent of a type no projection knows: the projector skips and counts it,
 * the audit projection keeps a row for it like any other record, readers of the feed ignore it.
 */
export const TOPIC_IDENTITY_TYPE = 'session-authority.topic.created.v1';
export const TOPIC_IDENTITY_KEY = '~topic';

export interface TopicIdentityData {
  readonly topic_id: string;
  readonly topic: string;
  readonly created_at: string;
}

export function topicIdentityRecord(topic: string, source: string, now = new Date()): RawRecord {
  const data: TopicIdentityData = {
    topic_id: randomUUID(),
    topic,
    created_at: now.toISOString(),
  };
  return {
    ...encodeEnvelope({
      id: randomUUID(),
      source,
      type: TOPIC_IDENTITY_TYPE,
      time: data.created_at,
      subject: topic,
      data,
    }),
    key: Buffer.from(TOPIC_IDENTITY_KEY),
  };
}

/**
 * The identity a topic's first record gives it: the `topic_id` of an identity record, or, for a
 * topic made before identity records existed, `sha256:` and the digest of that first record
 * (a log is append-only and kept forever, so its first record never changes).
 */
export function topicIdOf(first: RawRecord): string {
  const read = readEnvelope(first);
  if (read.ok && read.envelope.type === TOPIC_IDENTITY_TYPE) {
    const id = (read.envelope.data as Partial<TopicIdentityData> | null)?.topic_id;
    if (typeof id === 'string' && id.length > 0) return id;
  }
  const hash = createHash('sha256');
  hash.update(first.key ?? Buffer.alloc(0));
  hash.update(first.value ?? Buffer.alloc(0));
  return `sha256:${hash.digest('hex')}`;
}
