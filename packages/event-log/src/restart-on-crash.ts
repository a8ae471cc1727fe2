import type { Consumer } from 'kafkajs';
import type { LogLogger } from './types.js';

/**
 * kafkajs restarts its consumer after a retriable error only; after any other (a group
 * coordinator not found while a broker restarts, for one) it stays stopped for good. This starts
 * it again with `run`, backing off while that fails, until `stopping()`.
 */
export function restartOnCrash(
  consumer: Consumer,
  run: () => Promise<void>,
  stopping: () => boolean,
  logger?: LogLogger,
): void {
  const restart = (delayMs: number) => {
    setTimeout(() => {
      if (stopping()) return;
      run().catch((error: unknown) => {
        logger?.warn({ err: error }, 'consumer did not start; trying again');
        restart(Math.min(delayMs * 2, 2000));
      });
    }, delayMs);
  };
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart || stopping()) return;
    logger?.warn({ err: event.payload.error }, 'consumer stopped; starting it again');
    restart(250);
  });
}
