import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from '../../src/pipeline/batcher';

const log = pino({ level: 'silent' });

/** A batcher whose flushes take `flushMs` (fake time); `flushes` records those that succeeded, by start. */
function recorder(opts: { maxItems: number; maxDelayMs: number; flushMs: number }) {
  const flushes: { at: number; items: number[] }[] = [];
  let failNext = 0;
  const batcher = new Batcher<number>({
    maxItems: opts.maxItems,
    maxDelayMs: opts.maxDelayMs,
    retryDelayMs: 500,
    log,
    flush: async (items) => {
      const at = Date.now() - 1_000_000;
      if (opts.flushMs > 0) await new Promise((r) => setTimeout(r, opts.flushMs));
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('database away');
      }
      flushes.push({ at, items });
    },
  });
  return { batcher, flushes, fail: (n: number) => (failNext = n) };
}

describe('Batcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('flushes when the oldest item is maxDelayMs old, or at once when the batch is full', async () => {
    const { batcher, flushes } = recorder({ maxItems: 3, maxDelayMs: 100, flushMs: 0 });
    batcher.push(1);
    await vi.advanceTimersByTimeAsync(60);
    batcher.push(2);
    await vi.advanceTimersByTimeAsync(39);
    expect(flushes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes).toEqual([{ at: 100, items: [1, 2] }]);
    batcher.push(3);
    batcher.push(4);
    batcher.push(5);
    await vi.advanceTimersByTimeAsync(0);
    expect(flushes.at(-1)).toEqual({ at: 100, items: [3, 4, 5] });
  });

  it('counts an item’s wait from its arrival, not from the end of the flush under way', async () => {
    const { batcher, flushes } = recorder({ maxItems: 1000, maxDelayMs: 100, flushMs: 30 });
    batcher.push(1); // flush starts at 100, ends at 130
    await vi.advanceTimersByTimeAsync(110);
    batcher.push(2); // arrives during that flush: due at 210, not 230
    await vi.advanceTimersByTimeAsync(200);
    expect(flushes.map((f) => f.at)).toEqual([100, 210]);
  });

  it('flushes back to back while the oldest waiting items are already due', async () => {
    const { batcher, flushes } = recorder({ maxItems: 1000, maxDelayMs: 100, flushMs: 150 });
    batcher.push(1);
    await vi.advanceTimersByTimeAsync(120);
    batcher.push(2); // due at 220, but the first flush runs until 250
    await vi.advanceTimersByTimeAsync(300);
    // setTimeout(0) is 1 ms in Node: right after the first flush ends, not 100 ms later.
    expect(flushes.map((f) => f.at)).toEqual([100, 251]);
    expect(flushes.map((f) => f.items)).toEqual([[1], [2]]);
  });

  it('keeps a failed batch at the head, in order, and writes it on the retry', async () => {
    const { batcher, flushes, fail } = recorder({ maxItems: 1000, maxDelayMs: 100, flushMs: 10 });
    fail(1);
    batcher.push(1);
    batcher.push(2);
    await vi.advanceTimersByTimeAsync(150);
    batcher.push(3);
    expect(flushes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(flushes.flatMap((f) => f.items)).toEqual([1, 2, 3]);
    expect(batcher.size).toBe(0);
  });
});
