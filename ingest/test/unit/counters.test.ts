import { describe, expect, it } from 'vitest';
import { counterDelta, deriveCounts, latestState } from '../../src';

describe('counterDelta', () => {
  it.each([
    [10, 15, undefined, 5, false],
    [10, 10, undefined, 0, false],
    [65530, 4, 65536, 10, false], // a 16-bit wrap
    [500, 3, 65536, 3, true], // a small drop is a reset, not a wrap
    [500, 3, undefined, 3, true],
  ])('%d -> %d (rollover %s) made %d, reset %s', (prev, next, rollover, delta, reset) => {
    expect(counterDelta(prev, next, rollover)).toEqual({ delta, reset });
  });
});

describe('deriveCounts', () => {
  it('sets a baseline on the first totals, then counts deltas in time order', () => {
    const { rows, last, late } = deriveCounts(undefined, [
      { ts: 3000, good: 112, reject: 3 },
      { ts: 1000, good: 100, reject: 2 },
      { ts: 2000, good: 105, reject: 2 },
    ]);
    expect(rows.map((r) => [r.ts, r.good, r.reject])).toEqual([
      [1000, 0, 0],
      [2000, 5, 0],
      [3000, 7, 1],
    ]);
    expect(last).toEqual({ good: 112, reject: 3, at: 3000 });
    expect(late).toBe(0);
  });

  it('continues from stored totals, skips late samples and flags resets', () => {
    const { rows, late } = deriveCounts({ good: 50, reject: 1, at: 5000 }, [
      { ts: 4000, good: 49, reject: 1 },
      { ts: 6000, good: 2, reject: 0 },
    ]);
    expect(late).toBe(1);
    expect(rows).toEqual([
      { ts: 6000, goodTotal: 2, rejectTotal: 0, good: 2, reject: 0, reset: true },
    ]);
  });
});

describe('latestState', () => {
  it('finds the start of the final run of equal states', () => {
    const s = latestState([
      { ts: 1, seq: 1, state: 'running' },
      { ts: 2, seq: 2, state: 'down' },
      { ts: 3, seq: 3, state: 'down' },
    ]);
    expect(s).toMatchObject({ state: 'down', ts: 3, runStart: 2, changedInBatch: true });
  });

  it('says when the batch holds no change', () => {
    expect(
      latestState([
        { ts: 5, seq: 1, state: 'idle' },
        { ts: 7, seq: 2, state: 'idle' },
      ]),
    ).toMatchObject({ runStart: 5, changedInBatch: false });
    expect(latestState([])).toBeUndefined();
  });
});
