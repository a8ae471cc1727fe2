import { feedEntriesOf } from '@session-authority/events';
import type { FeedWriter } from '@session-authority/event-log';
import type { PreCommitStep } from '@session-authority/read-model';

/**
 * The revocation feed as a pre-commit step: each batch's revocations and its checkpoint are in the
 * feed (acks=all) before the batch commits, so the feed is never behind the read model. A batch
 * that then fails to commit is delivered again and written again, which compaction absorbs.
 */
export function feedStep(feed: FeedWriter): PreCommitStep {
  return {
    name: 'revocation-feed',
    run: async (batches) => {
      await Promise.all(
        batches.map((b) =>
          feed.write(
            b.partition,
            feedEntriesOf(b.partition, b.events, b.quarantined, b.nextOffset),
          ),
        ),
      );
    },
  };
}
