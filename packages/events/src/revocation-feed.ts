import type { PositionedEvent, QuarantinedRecord } from './decode-records.js';

/** The key of each feed partition's checkpoint record. */
export const FEED_CHECKPOINT_KEY = '~checkpoint';

/** The value of a revocation in the feed (docs/downstream.md). */
export interface FeedRevocation {
  readonly session_id: string;
  readonly identity_id: string | null;
  readonly revoked_at: string;
  /** When the session expires; null when the authority does not know (a quarantined record). */
  readonly expires_at: string | null;
  readonly reason: string;
  readonly source: { readonly partition: number; readonly offset: string };
}

/** The value of a checkpoint: every log record of the partition below `next` is in the feed. */
export interface FeedCheckpoint {
  readonly next: string;
}

/**
 * What the feed gets for one batch of a log partition: each revocation (a quarantined record
 * revokes its session too), then the checkpoint of the batch's end.
 */
export function feedEntriesOf(
  partition: number,
  events: readonly PositionedEvent[],
  quarantined: readonly QuarantinedRecord[],
  nextOffset: bigint,
): { key: string; value: string }[] {
  const revocations: { offset: bigint; value: FeedRevocation }[] = [];
  for (const { offset, event } of events) {
    if (event.type !== 'session.revoked.v2') continue;
    const data = event.data;
    revocations.push({
      offset,
      value: {
        session_id: data.session_id,
        identity_id: data.identity_id,
        revoked_at: data.revoked_at,
        expires_at: data.session_expires_at,
        reason: data.reason,
        source: { partition, offset: offset.toString() },
      },
    });
  }
  for (const { offset, sessionId, at } of quarantined) {
    revocations.push({
      offset,
      value: {
        session_id: sessionId,
        identity_id: null,
        revoked_at: at.toISOString(),
        expires_at: null,
        reason: 'quarantined',
        source: { partition, offset: offset.toString() },
      },
    });
  }
  revocations.sort((a, b) => (a.offset < b.offset ? -1 : 1));
  const checkpoint: FeedCheckpoint = { next: nextOffset.toString() };
  return [
    ...revocations.map(({ value }) => ({ key: value.session_id, value: JSON.stringify(value) })),
    { key: FEED_CHECKPOINT_KEY, value: JSON.stringify(checkpoint) },
  ];
}
