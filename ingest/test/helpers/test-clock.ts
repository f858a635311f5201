import type { DeliveryClock } from '../../src/alerts/delivery/queue';

/**
 * A clock the test moves: `until` resolves only when `advance` reaches its deadline (or its
 * signal aborts), so "the next try is at least a minute later" is checked without sleeping.
 */
export function testClock(start = Date.UTC(2026, 11, 7, 8, 0, 0)) {
  let t = start;
  const waiters = new Set<{ at: number; resolve: () => void }>();
  const clock: DeliveryClock & {
    advance(ms: number): void;
    /** Deadlines of the waits under way, ms from now, soonest first. */
    waits(): number[];
  } = {
    now: () => t,
    until(at, signal) {
      return new Promise<void>((resolve) => {
        if (signal.aborted || at <= t) return resolve();
        const waiter = {
          at,
          resolve: () => {
            waiters.delete(waiter);
            resolve();
          },
        };
        waiters.add(waiter);
        signal.addEventListener('abort', waiter.resolve, { once: true });
      });
    },
    advance(ms) {
      t += ms;
      for (const w of [...waiters]) if (w.at <= t) w.resolve();
    },
    waits: () => [...waiters].map((w) => w.at - t).sort((a, b) => a - b),
  };
  return clock;
}
