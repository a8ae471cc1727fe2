import type { BatchOutcome, ProjectionBatch } from '@session-authority/read-model';

interface Pending {
  readonly batch: ProjectionBatch;
  readonly resolve: (outcome: BatchOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Batches of different partitions that arrive while a transaction runs share the next one: one
 * commit (and one fsync) for many partitions instead of one each. A lone batch goes at once.
 */
export class BatchCoalescer {
  readonly #applyAll: (batches: ProjectionBatch[]) => Promise<BatchOutcome[]>;
  #queue: Pending[] = [];
  #draining = false;

  constructor(applyAll: (batches: ProjectionBatch[]) => Promise<BatchOutcome[]>) {
    this.#applyAll = applyAll;
  }

  apply(batch: ProjectionBatch): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ batch, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    while (this.#queue.length > 0) {
      // One batch per partition per transaction; a second one of a partition waits its turn.
      const taken: Pending[] = [];
      const later: Pending[] = [];
      const partitions = new Set<number>();
      for (const pending of this.#queue) {
        if (partitions.has(pending.batch.partition)) later.push(pending);
        else {
          partitions.add(pending.batch.partition);
          taken.push(pending);
        }
      }
      this.#queue = later;
      try {
        const outcomes = await this.#applyAll(taken.map((pending) => pending.batch));
        taken.forEach((pending, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined) pending.reject(new Error('no outcome for a batch'));
          else pending.resolve(outcome);
        });
      } catch (error) {
        for (const pending of taken) pending.reject(error);
      }
    }
    this.#draining = false;
  }
}
