import type { BenchStack } from './bench-stack.js';
import { runLoadJob } from './child.js';
import type { OverloadSummary } from './overload.js';

/**
 * Logouts offered at `rate` (twice the measured saturation) for `seconds`, then at a quarter of
 * it: fast 204s or fast 503s, then recovery. Then unknown-token logouts at `rate` for as long,
 * which a replica answers 403 without a write: how fast this machine answers anything at that rate.
 */
export async function measureOverload(
  stack: BenchStack,
  options: { rate: number; seconds: number; tokensFile: string; connections: number },
): Promise<OverloadSummary> {
  const { rate, seconds, connections } = options;
  const common = { origins: stack.apiOrigins, request: 'logout', rate, connections } as const;
  const { overload } = await runLoadJob({
    ...common,
    scenario: 'logout-revoke overload',
    tokens: { file: options.tokensFile, use: 'unique' },
    expectStatus: 204,
    warmupSeconds: 0,
    seconds,
    phases: [
      { rate, seconds },
      { rate: Math.max(1, Math.round(rate / 4)), seconds },
    ],
  });
  if (overload === undefined) throw new Error('the overload step reported nothing');
  const unknown = await runLoadJob({
    ...common,
    scenario: 'logout-unknown at the overload rate',
    tokens: 'unknown',
    expectStatus: 403,
    warmupSeconds: 0,
    seconds,
  });
  return { ...overload, unknownTokenP99Ms: unknown.latencyMs.p99 };
}
