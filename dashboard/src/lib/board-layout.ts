/**
 * Fits every tile on one screen, no scrolling: tries each column count and keeps the one
 * giving the largest readable tile. Lines are stacked; every line starts a new row.
 */

export interface BoardGeometry {
  widthPx: number;
  heightPx: number;
  /** Machines per line, in display order. */
  lineSizes: readonly number[];
  gapPx: number;
  /** Height of a line's title bar. */
  lineHeaderPx: number;
  /** Space between two lines. */
  lineGapPx: number;
}

export interface BoardLayout {
  columns: number;
  tileWidthPx: number;
  tileHeightPx: number;
}

/** Tiles read best at about this width:height; taller than square wastes the screen. */
const IDEAL_ASPECT = 1.35;
const MAX_ASPECT = 1.0;
/** Below this a tile is unreadable anyway; the board then clips instead of shrinking. */
const MIN_TILE_HEIGHT_PX = 72;

function rowsFor(lineSizes: readonly number[], columns: number): number {
  return lineSizes.reduce((sum, n) => sum + Math.max(1, Math.ceil(n / columns)), 0);
}

function candidate(geometry: BoardGeometry, columns: number): BoardLayout & { score: number } {
  const { widthPx, heightPx, lineSizes, gapPx, lineHeaderPx, lineGapPx } = geometry;
  const lines = lineSizes.length;
  const rows = rowsFor(lineSizes, columns);
  const tileWidthPx = (widthPx - (columns - 1) * gapPx) / columns;
  const fixedPx = lines * lineHeaderPx + (lines - 1) * lineGapPx + (rows - lines) * gapPx;
  const fitHeightPx = (heightPx - fixedPx) / rows;
  // Never taller than wide: extra height would only stretch the sparkline.
  const tileHeightPx = Math.max(
    MIN_TILE_HEIGHT_PX,
    Math.min(fitHeightPx, tileWidthPx / MAX_ASPECT),
  );
  // A tile is as legible as its short side lets its text be, at the ideal aspect.
  const score = Math.min(tileWidthPx / IDEAL_ASPECT, fitHeightPx);
  return { columns, tileWidthPx, tileHeightPx: Math.floor(tileHeightPx), score };
}

export function boardLayout(geometry: BoardGeometry): BoardLayout {
  if (geometry.lineSizes.length === 0) {
    return { columns: 1, tileWidthPx: geometry.widthPx, tileHeightPx: MIN_TILE_HEIGHT_PX };
  }
  const widest = Math.max(1, ...geometry.lineSizes);
  let best = candidate(geometry, 1);
  for (let columns = 2; columns <= widest; columns += 1) {
    const next = candidate(geometry, columns);
    if (next.score > best.score) best = next;
  }
  return { columns: best.columns, tileWidthPx: best.tileWidthPx, tileHeightPx: best.tileHeightPx };
}
