const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;

/** Go-style durations as Kratos uses them: "24h", "1h30m", "90s". */
export const DURATION_PATTERN = /^(?:\d+[hms])+$/;

/** Parses a duration; undefined when malformed, zero, or too large to count in milliseconds. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([hms])/g)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** The inverse of parseDuration for whole seconds, in the largest exact unit: 8760h, 90m, 45s. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.floor(ms / 1000)}s`;
}
