import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeadingThrottle, throttleDelayMs } from '../../src/consumers/live-throttle';

/** A throttle whose runs take `runMs` (fake time) and record when they started. */
function recorder(minIntervalMs: number, runMs = 0) {
  const starts: number[] = [];
  const errors: unknown[] = [];
  let active = 0;
  let maxActive = 0;
  const throttle = new LeadingThrottle({
    minIntervalMs,
    run: async () => {
      starts.push(Date.now());
      active += 1;
      maxActive = Math.max(maxActive, active);
      if (runMs > 0) await new Promise((r) => setTimeout(r, runMs));
      active -= 1;
    },
    onError: (error) => errors.push(error),
  });
  return { throttle, starts, errors, maxActive: () => maxActive };
}

describe('throttleDelayMs', () => {
  it('is zero once an interval has passed since the last start, else the rest of it', () => {
    expect(throttleDelayMs(Number.NEGATIVE_INFINITY, 5, 100)).toBe(0);
    expect(throttleDelayMs(1000, 1100, 100)).toBe(0);
    expect(throttleDelayMs(1000, 1500, 100)).toBe(0);
    expect(throttleDelayMs(1000, 1030, 100)).toBe(70);
    expect(throttleDelayMs(1000, 1000, 100)).toBe(100);
  });
});

describe('LeadingThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('runs the first request at once, with no tick to wait for', () => {
    const { throttle, starts } = recorder(100);
    throttle.request();
    expect(starts).toEqual([1_000_000]);
  });

  it('folds requests within the interval into one run one interval after the last start', async () => {
    const { throttle, starts } = recorder(100);
    throttle.request(); // t = 0: runs
    await vi.advanceTimersByTimeAsync(30);
    throttle.request();
    await vi.advanceTimersByTimeAsync(20);
    throttle.request();
    throttle.request();
    expect(starts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(starts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(starts.map((t) => t - 1_000_000)).toEqual([0, 100]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts).toHaveLength(2); // nothing asked since: no run
  });

  it('runs at once again after a quiet spell', async () => {
    const { throttle, starts } = recorder(100);
    throttle.request();
    await vi.advanceTimersByTimeAsync(250);
    throttle.request();
    expect(starts.map((t) => t - 1_000_000)).toEqual([0, 250]);
  });

  it('keeps to one run per interval under a steady stream of requests, none waiting longer', async () => {
    const { throttle, starts } = recorder(100);
    const waits: number[] = [];
    for (let t = 0; t < 2000; t += 7) {
      const asked = Date.now();
      const before = starts.length;
      throttle.request();
      await vi.advanceTimersByTimeAsync(7);
      if (starts.length === before)
        waits.push(asked); // served by a later run
      else waits.length = 0;
      for (const w of waits) expect(Date.now() - w).toBeLessThanOrEqual(100 + 7);
    }
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(starts.length).toBeGreaterThanOrEqual(19);
    expect(starts.length).toBeLessThanOrEqual(21);
  });

  it('never overlaps runs: one slower than the interval delays the next until it ends', async () => {
    const { throttle, starts, maxActive } = recorder(100, 250);
    throttle.request();
    await vi.advanceTimersByTimeAsync(10);
    throttle.request();
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts.map((t) => t - 1_000_000)).toEqual([0, 250]);
    expect(maxActive()).toBe(1);
  });

  it('reports a run that throws and carries on with the next request', async () => {
    let fail = true;
    const errors: unknown[] = [];
    let runs = 0;
    const throttle = new LeadingThrottle({
      minIntervalMs: 100,
      run: async () => {
        runs += 1;
        if (fail) throw new Error('database away');
      },
      onError: (error) => errors.push(error),
    });
    throttle.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('database away');
    fail = false;
    throttle.request();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('starts nothing after stop, not even a run already scheduled', async () => {
    const { throttle, starts } = recorder(100);
    throttle.request();
    throttle.request(); // scheduled for t = 100
    throttle.stop();
    throttle.request();
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts).toHaveLength(1);
  });
});
