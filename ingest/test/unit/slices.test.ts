import { describe, expect, it } from 'vitest';
import { inSlices } from '../../src/queries/slices';

describe('a plant-wide computation in slices', () => {
  it('does one slice at a time, in order, and answers in the items’ order', async () => {
    const seen: number[][] = [];
    let running = 0;
    let most = 0;
    const answers = await inSlices(
      [1, 2, 3, 4, 5, 6, 7],
      async (slice) => {
        running += 1;
        most = Math.max(most, running);
        seen.push([...slice]);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return slice.map((n) => n * 10);
      },
      { size: 3, pauseMs: 1 },
    );
    expect(seen).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(most).toBe(1);
    expect(answers).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('asks nothing of no items, and refuses a slice that loses answers', async () => {
    let calls = 0;
    expect(await inSlices([], async () => (calls++, []))).toEqual([]);
    expect(calls).toBe(0);
    await expect(
      inSlices([1, 2, 3], async (slice) => slice.slice(1), { size: 2, pauseMs: 0 }),
    ).rejects.toThrow('a slice of 2 items gave 1 answers');
    await expect(inSlices([1], async (s) => s, { size: 0, pauseMs: 0 })).rejects.toThrow(
      'at least one item',
    );
  });
});
