import { describe, expect, it } from 'vitest';
import { appendPoint, mergeHistory, type TrendPoint } from '../../src/lib/trend';

describe('trend', () => {
  it('appends newer points only and trims to the window', () => {
    let points: TrendPoint[] = [];
    points = appendPoint(points, [1_000, 1]);
    points = appendPoint(points, [1_000, 2]);
    points = appendPoint(points, [500, 3]);
    expect(points).toEqual([[1_000, 1]]);
    points = appendPoint(points, [5_000, null], 3_000);
    expect(points).toEqual([[5_000, null]]);
  });

  it('puts history first and keeps live points newer than it', () => {
    const merged = mergeHistory(
      [
        [2_000, 2],
        [1_000, 1],
      ],
      [
        [2_000, 9],
        [3_000, 3],
      ],
    );
    expect(merged).toEqual([
      [1_000, 1],
      [2_000, 2],
      [3_000, 3],
    ]);
    expect(mergeHistory([], [[3_000, 3]])).toEqual([[3_000, 3]]);
  });
});
