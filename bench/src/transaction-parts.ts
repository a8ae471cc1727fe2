/** Sum and count of projector_transaction_part_seconds per part, over every projector. */
export type PartTotals = ReadonlyMap<string, { readonly sum: number; readonly count: number }>;

/** What a step's transactions spent in each part: their number, and the mean of each part. */
export interface TransactionParts {
  readonly transactions: number;
  readonly meanMs: Readonly<Record<string, number>>;
}

const LINE = /^projector_transaction_part_seconds_(sum|count)\{part="([^"]+)"\} (\S+)$/;

/** Reads the projectors' /metrics and adds up their transaction parts. */
export async function readPartTotals(metricsUrls: readonly string[]): Promise<PartTotals> {
  const totals = new Map<string, { sum: number; count: number }>();
  for (const url of metricsUrls) {
    const text = await (await fetch(url)).text();
    for (const line of text.split('\n')) {
      const match = LINE.exec(line);
      if (match === null) continue;
      const [, field, part = '', value] = match;
      const total = totals.get(part) ?? { sum: 0, count: 0 };
      if (field === 'sum') total.sum += Number(value);
      else total.count += Number(value);
      totals.set(part, total);
    }
  }
  return totals;
}

/** The parts of the transactions committed between two readings. */
export function partsBetween(before: PartTotals, after: PartTotals): TransactionParts {
  const meanMs: Record<string, number> = {};
  let transactions = 0;
  for (const [part, total] of after) {
    const count = total.count - (before.get(part)?.count ?? 0);
    const sum = total.sum - (before.get(part)?.sum ?? 0);
    if (count <= 0) continue;
    meanMs[part] = Math.round((sum / count) * 1000 * 100) / 100;
    // Every transaction times its statements once.
    if (part === 'statements') transactions = count;
  }
  return { transactions, meanMs };
}
