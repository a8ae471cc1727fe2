/** What the subscription does with a fetched batch, given where the projection stands. */
export type BatchPlan =
  /** The stored offset of this partition is not known yet: read it, then fetch again. */
  | { readonly kind: 'read-stored-offset' }
  /**
   * The fetch started past the stored offset, or the log ends before it (a client reset after an
   * out-of-range fetch lands at either end): seek back to it, if the log still holds it.
   */
  | { readonly kind: 'seek'; readonly offset: bigint }
  /** Everything in the batch was applied before: acknowledge up to `last`. */
  | { readonly kind: 'skip'; readonly last: bigint }
  /** Hand `from` onwards (the first index not applied yet) to the handler. */
  | { readonly kind: 'handle'; readonly from: number; readonly last: bigint }
  | { readonly kind: 'empty' };

/**
 * Kafka's committed offsets are never trusted: `expected` is the projection's own next offset.
 * Records below it were applied before and are dropped; a gap above it, or a log that ends below
 * it, means go back to it (the subscription first checks the log still holds it).
 */
export function planBatch(
  expected: bigint | undefined,
  offsets: readonly bigint[],
  highWatermark: bigint,
): BatchPlan {
  if (expected === undefined) return { kind: 'read-stored-offset' };
  const first = offsets[0];
  const last = offsets.at(-1);
  if (first === undefined || last === undefined) return { kind: 'empty' };
  if (first > expected || highWatermark < expected) return { kind: 'seek', offset: expected };
  const from = offsets.findIndex((offset) => offset >= expected);
  if (from === -1) return { kind: 'skip', last };
  return { kind: 'handle', from, last };
}
