import type { FeedWriter } from '@session-authority/event-log';
import {
  rowsByPartition,
  stateEntriesOf,
  stateReadBack,
  type PreCommitStep,
  type StateRow,
} from '@session-authority/read-model';

/**
 * The session-state topic as a pre-commit step: after the projections' statements, the rows the
 * batch left behind (read back in its transaction) and the batch's checkpoint are in the state
 * topic (acks=all) before the batch commits. A batch that then fails to commit wrote the rows of
 * a later point of the log than its checkpoint; applying the log from the checkpoint over them
 * ends in the same rows (docs/operations.md, "Rebuild from the session state").
 */
export function stateStep(state: FeedWriter): PreCommitStep {
  return {
    name: 'session-state',
    readBack: stateReadBack,
    run: async (batches, rows) => {
      const byPartition = rowsByPartition(rows as unknown as readonly StateRow[]);
      await Promise.all(
        batches.map((b) =>
          state.write(
            b.partition,
            stateEntriesOf(byPartition.get(b.partition) ?? [], b.nextOffset),
          ),
        ),
      );
    },
  };
}
