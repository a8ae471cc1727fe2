import type { Consumer } from 'kafkajs';

/**
 * kafkajs restarts a consumer after a retriable error only; after any other it stays stopped for
 * good. This starts it again with `run`, backing off while that fails, until `stopping()`. (The
 * authority's event-log package has the same; this package depends on kafkajs alone.)
 */
export function restartOnCrash(
  consumer: Consumer,
  run: () => Promise<void>,
  stopping: () => boolean,
): void {
  const restart = (delayMs: number) => {
    setTimeout(() => {
      if (stopping()) return;
      run().catch(() => {
        restart(Math.min(delayMs * 2, 2000));
      });
    }, delayMs).unref();
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart && !stopping()) restart(250);
  });
}
