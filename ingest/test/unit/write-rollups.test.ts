import { describe, expect, it } from 'vitest';
import { minuteAggregates, type RollupInput } from '../../src/pipeline/write-rollups';

const T0 = Date.UTC(2026, 10, 20, 9, 59, 0);
const row = (s: number, num: number | null, quality = 0, tag = 'a'): RollupInput => ({
  time: new Date(T0 + s * 1000),
  machine: 'm1',
  tag,
  num,
  quality,
});

describe('minuteAggregates', () => {
  it('folds good numeric readings per machine, tag and UTC minute, in any order', () => {
    const minutes = minuteAggregates([
      row(61, 5), // the next minute, first in the batch
      row(30, 2),
      row(0, 7),
      row(59.999, -1),
      row(20, 99, 2), // bad quality: not in the rollups
      row(10, null), // text or null: not either
      row(5, 3, 0, 'b'),
    ]);
    expect(minutes).toEqual([
      {
        bucketMs: T0 + 60_000,
        machine: 'm1',
        tag: 'a',
        min: 5,
        max: 5,
        sum: 5,
        count: 1,
        last: 5,
        lastMs: T0 + 61_000,
      },
      {
        bucketMs: T0,
        machine: 'm1',
        tag: 'a',
        min: -1,
        max: 7,
        sum: 8,
        count: 3,
        last: -1,
        lastMs: T0 + 59_999,
      },
      {
        bucketMs: T0,
        machine: 'm1',
        tag: 'b',
        min: 3,
        max: 3,
        sum: 3,
        count: 1,
        last: 3,
        lastMs: T0 + 5000,
      },
    ]);
  });

  it('takes the later reading in the batch as last when two share the newest time', () => {
    const [minute] = minuteAggregates([row(10, 1), row(10, 2), row(3, 9)]);
    expect(minute).toMatchObject({ last: 2, lastMs: T0 + 10_000, count: 3 });
  });

  it('puts readings before 1970 in their own minute (floor, not truncation)', () => {
    const [minute] = minuteAggregates([{ ...row(0, 1), time: new Date(-30_000) }]);
    expect(minute!.bucketMs).toBe(-60_000);
  });
});
