import { describe, expect, it } from 'vitest';
import { boardLayout, tileDetail } from '../../src/lib/board-layout';

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

  /** Height a layout takes: stacked lines with title bars, or one flowing grid with title cells. */
  function heightOf(lineSizes: number[], l: ReturnType<typeof boardLayout>): number {
    if (l.mode === 'lines') return usedHeight(lineSizes, l.columns, l.tileHeightPx);
    const cells = lineSizes.reduce((s, n) => s + n, 0) + lineSizes.length;
    const rows = Math.ceil(cells / l.columns);
    return rows * l.tileHeightPx + (rows - 1) * 12;
  }
  const widthOf = (l: ReturnType<typeof boardLayout>) =>
    l.columns * l.tileWidthPx + (l.columns - 1) * 12;

  it('5 machines: big tiles with every detail, stacked by line', () => {
    const sizes = [3, 2];
    const l = boardLayout({ ...screen, lineSizes: sizes });
    expect(l).toMatchObject({ mode: 'lines', detail: 'full' });
    expect(heightOf(sizes, l)).toBeLessThanOrEqual(984);
  });

  it('50 machines on four lines: compact tiles, still stacked, all on screen', () => {
    const sizes = [13, 12, 13, 12];
    const l = boardLayout({ ...screen, lineSizes: sizes });
    expect(l).toMatchObject({ mode: 'lines', detail: 'compact' });
    expect(heightOf(sizes, l)).toBeLessThanOrEqual(984);
    expect(widthOf(l)).toBeLessThanOrEqual(1888.01);
  });

  it.each([
    ['4 lines of 50', [50, 50, 50, 50]],
    ['10 lines of 20', Array<number>(10).fill(20)],
    ['20 lines of 10', Array<number>(20).fill(10)],
    ['one line of 200', [200]],
  ])('200 machines (%s): minimal tiles in one flowing grid, all on screen', (_, sizes) => {
    const l = boardLayout({ ...screen, lineSizes: sizes });
    expect(l).toMatchObject({ mode: 'flow', detail: 'minimal' });
    expect(heightOf(sizes, l)).toBeLessThanOrEqual(984);
    expect(widthOf(l)).toBeLessThanOrEqual(1888.01);
    // Still a tile one can read a name on from a few metres.
    expect(l.tileHeightPx).toBeGreaterThanOrEqual(60);
    expect(l.tileWidthPx).toBeGreaterThanOrEqual(80);
  });

  it('scales with the screen: a 4K TV gets the same arrangement at twice the size', () => {
    const sizes = [13, 12, 13, 12];
    const hd = boardLayout({ ...screen, lineSizes: sizes });
    const uhd = boardLayout({
      widthPx: 3776,
      heightPx: 1968,
      gapPx: 24,
      lineHeaderPx: 68,
      lineGapPx: 28,
      lineSizes: sizes,
    });
    expect(uhd.columns).toBe(hd.columns);
    expect(uhd.tileHeightPx).toBeGreaterThanOrEqual(2 * hd.tileHeightPx - 1);
  });

  it('picks less detail as tiles shrink', () => {
    expect(tileDetail(400, 300)).toBe('full');
    expect(tileDetail(200, 150)).toBe('compact');
    expect(tileDetail(100, 70)).toBe('minimal');
  });
});
