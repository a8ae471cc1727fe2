/** How long and how big each step of `npm run bench` is: a full run, or --quick to check it runs. */
export function benchSettings(quick: boolean) {
  const settings = quick
    ? {
        seconds: 1,
        warmupSeconds: 0.3,
        rates: [50, 100, 200],
        saturationBudget: 4000,
        concurrencies: [16, 64],
        probeSeconds: 0.3,
        overloadSeconds: 1,
      }
    : {
        seconds: 10,
        warmupSeconds: 2,
        rates: [100, 250, 500, 1000, 2000],
        saturationBudget: 90_000,
        // Saturation is the concurrency that answers most: each is tried for probeSeconds first.
        concurrencies: [16, 64, 128, 256],
        probeSeconds: 2,
        overloadSeconds: 10,
      };
  const sizes = quick
    ? {
        whoami: 500,
        propagation: 50,
        propagationRate: 50,
        rebuild: 5000,
        floor: 50,
        listed: 10_000,
        feed: 10_000,
      }
    : {
        whoami: 10_000,
        propagation: 1000,
        propagationRate: 100,
        rebuild: 1_000_000,
        floor: 2000,
        listed: 1_000_000,
        feed: 1_000_000,
      };
  /** Tokens for one open-loop step or a saturation run: what it can use up, with a margin. */
  const budget = (rate: number | undefined): number =>
    rate === undefined
      ? settings.saturationBudget
      : Math.ceil(rate * (settings.seconds + settings.warmupSeconds) * 1.1) + 100;
  return { settings, sizes, budget };
}

/** Session management: its targets are at this rate. */
export const MANAGEMENT_RATE = 50;
export const OTHER_SESSIONS = 50;
export const CONNECTIONS = 64;
/**
 * Open loop: enough connections that the driver never queues a request itself (it did with 64:
 * at 1,000 logouts/s a second of the measured latency was its own queue); only those needed open.
 */
export const OPEN_LOOP_CONNECTIONS = 1024;
