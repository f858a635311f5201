import { describe, expect, it } from 'vitest';
import {
  counterDelta,
  deriveCounts,
  latestState,
  placeLateTotals,
  type CountSample,
} from '../../src';

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

  it('continues from stored totals, sets late samples apart and flags resets', () => {
    const { rows, late, lateSamples } = deriveCounts({ good: 50, reject: 1, at: 5000 }, [
      { ts: 4000, good: 49, reject: 1 },
      { ts: 6000, good: 2, reject: 0 },
    ]);
    expect(late).toBe(1);
    expect(lateSamples).toEqual([{ ts: 4000, good: 49, reject: 1 }]);
    expect(rows).toEqual([
      { ts: 6000, goodTotal: 2, rejectTotal: 0, good: 2, reject: 0, reset: true },
    ]);
  });
});

describe('placeLateTotals', () => {
  const totals = [
    { ts: 1000, good: 100, reject: 0 },
    { ts: 2000, good: 130, reject: 1 },
    { ts: 3000, good: 190, reject: 4 },
    { ts: 4000, good: 10, reject: 0 }, // the PLC was reset
  ];
  /** Deltas when the totals come in `order`: in order, or late ones placed as they come. */
  function deltas(order: readonly CountSample[]) {
    const stored: { ts: number; good: number; reject: number; gt: number; rt: number }[] = [];
    for (const s of order) {
      const last = stored.at(-1);
      const prev = last && { good: last.gt, reject: last.rt, at: last.ts };
      if (!last || s.ts > last.ts) {
        const [row] = deriveCounts(prev, [s]).rows;
        stored.push({ ts: s.ts, good: row!.good, reject: row!.reject, gt: s.good, rt: s.reject });
        continue;
      }
      const i = stored.findIndex((r) => r.ts > s.ts);
      const before = stored[i - 1];
      const after = stored[i]!;
      const placed = placeLateTotals(
        before && { good: before.gt, reject: before.rt, at: before.ts },
        s,
        { good: after.gt, reject: after.rt, at: after.ts },
      );
      Object.assign(after, { good: placed.after!.good, reject: placed.after!.reject });
      const { row } = placed;
      stored.splice(i, 0, {
        ts: s.ts,
        good: row.good,
        reject: row.reject,
        gt: s.good,
        rt: s.reject,
      });
    }
    return stored.map((r) => [r.ts, r.good, r.reject]);
  }

  it('gives the deltas of edge-time order whatever order the totals come in', () => {
    const inOrder = deltas(totals);
    expect(inOrder).toEqual([
      [1000, 0, 0],
      [2000, 30, 1],
      [3000, 60, 3],
      [4000, 10, 0],
    ]);
    for (const order of [
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [1, 3, 0, 2],
    ])
      expect(deltas(order.map((i) => totals[i]!))).toEqual(inOrder);
  });

  it('makes totals older than the first ever the new baseline', () => {
    const placed = placeLateTotals(
      undefined,
      { ts: 500, good: 90, reject: 0 },
      {
        good: 100,
        reject: 0,
        at: 1000,
      },
    );
    expect(placed.row).toMatchObject({ ts: 500, good: 0, reject: 0, reset: false });
    expect(placed.after).toEqual({ good: 10, reject: 0, reset: false });
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
