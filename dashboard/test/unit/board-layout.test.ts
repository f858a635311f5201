import { describe, expect, it } from 'vitest';
import { boardLayout } from '../../src/lib/board-layout';

const screen = { widthPx: 1888, heightPx: 984, gapPx: 12, lineHeaderPx: 34, lineGapPx: 14 };

function usedHeight(lineSizes: number[], columns: number, tileHeightPx: number): number {
  const rows = lineSizes.reduce((sum, n) => sum + Math.ceil(n / columns), 0);
  const lines = lineSizes.length;
  return rows * tileHeightPx + (rows - lines) * 12 + lines * 34 + (lines - 1) * 14;
}

describe('boardLayout', () => {
  it('fits 30 machines on four lines onto a 1080p screen', () => {
    const lineSizes = [8, 7, 8, 7];
    const layout = boardLayout({ ...screen, lineSizes });
    expect(layout.columns).toBe(8);
    expect(usedHeight(lineSizes, layout.columns, layout.tileHeightPx)).toBeLessThanOrEqual(984);
    expect(layout.tileHeightPx).toBeGreaterThan(150);
  });

  it('gives a few machines big tiles, one row per line', () => {
    const layout = boardLayout({ ...screen, lineSizes: [3, 2] });
    expect(layout.columns).toBe(3);
    expect(layout.tileHeightPx).toBeGreaterThan(400);
  });

  it('copes with an empty plant', () => {
    expect(boardLayout({ ...screen, lineSizes: [] }).columns).toBe(1);
  });
});
