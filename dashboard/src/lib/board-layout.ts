/**
 * Fits every tile on one screen, no scrolling: tries each column count and keeps the one
 * giving the largest readable tile. Two arrangements:
 * - `lines`: lines stacked, each with its title bar, every line starting a new row (the
 *   clearest, while tiles stay big enough);
 * - `flow`: for dense plants (100–200 machines, many lines), one grid where each line opens
 *   with a title cell the size of a tile and its machines follow, so no row is left half
 *   empty and no space goes to title bars.
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

/**
 * How much a tile can show: `full` (state band, name, work order, count vs target, OEE, main
 * reading with its trend, last seen), `compact` (no trend, no footer), `minimal` (the whole
 * tile in its state colour: name, time in state, count vs target) for 100–200 machines.
 */
export type TileDetail = 'full' | 'compact' | 'minimal';

export interface BoardLayout {
  mode: 'lines' | 'flow';
  columns: number;
  tileWidthPx: number;
  tileHeightPx: number;
  detail: TileDetail;
}

/** Tiles read best at about this width:height; taller than square wastes the screen. */
const IDEAL_ASPECT = 1.35;
const MAX_ASPECT = 1.0;
/** Stacked lines while tiles stay at least this tall; below, the flow arrangement. */
const STACKED_MIN_HEIGHT_PX = 120;
/** Below this nothing is legible; a board clips rather than shrink further (>300 machines). */
const MIN_TILE_HEIGHT_PX = 40;

/** Below these sizes (CSS px; the CSS sizes text from the tile) a level's text no longer fits. */
const FULL_MIN_HEIGHT_PX = 230;
const FULL_MIN_WIDTH_PX = 260;
const COMPACT_MIN_HEIGHT_PX = 115;
const COMPACT_MIN_WIDTH_PX = 140;

export function tileDetail(tileWidthPx: number, tileHeightPx: number): TileDetail {
  if (tileHeightPx >= FULL_MIN_HEIGHT_PX && tileWidthPx >= FULL_MIN_WIDTH_PX) return 'full';
  if (tileHeightPx >= COMPACT_MIN_HEIGHT_PX && tileWidthPx >= COMPACT_MIN_WIDTH_PX)
    return 'compact';
  return 'minimal';
}

interface Candidate {
  columns: number;
  tileWidthPx: number;
  fitHeightPx: number;
  score: number;
}

/** Tile size for `columns` columns and `rows` rows in `fixedPx` of height taken by others. */
function candidate(
  widthPx: number,
  heightPx: number,
  gapPx: number,
  columns: number,
  rows: number,
  fixedPx: number,
): Candidate {
  const tileWidthPx = (widthPx - (columns - 1) * gapPx) / columns;
  const fitHeightPx = (heightPx - fixedPx - (rows - 1) * gapPx) / rows;
  // A tile is as legible as its short side lets its text be, at the ideal aspect.
  const score = Math.min(tileWidthPx / IDEAL_ASPECT, fitHeightPx);
  return { columns, tileWidthPx, fitHeightPx, score };
}

function best(candidates: Iterable<Candidate>): Candidate {
  let top: Candidate | null = null;
  for (const c of candidates) if (!top || c.score > top.score) top = c;
  return top!;
}

function* stacked(g: BoardGeometry): Generator<Candidate> {
  const lines = g.lineSizes.length;
  const widest = Math.max(1, ...g.lineSizes);
  for (let columns = 1; columns <= widest; columns += 1) {
    const rows = g.lineSizes.reduce((sum, n) => sum + Math.max(1, Math.ceil(n / columns)), 0);
    // Gaps between rows of one line; lines are apart by their own gap instead.
    const fixedPx = lines * g.lineHeaderPx + (lines - 1) * (g.lineGapPx - g.gapPx);
    yield candidate(g.widthPx, g.heightPx, g.gapPx, columns, rows, fixedPx);
  }
}

function* flow(g: BoardGeometry): Generator<Candidate> {
  const cells = g.lineSizes.reduce((sum, n) => sum + n, 0) + g.lineSizes.length;
  for (let columns = 1; columns <= cells; columns += 1)
    yield candidate(g.widthPx, g.heightPx, g.gapPx, columns, Math.ceil(cells / columns), 0);
}

function finish(mode: BoardLayout['mode'], c: Candidate): BoardLayout {
  // Never taller than wide: extra height would only stretch the sparkline.
  const tileHeightPx = Math.floor(
    Math.max(MIN_TILE_HEIGHT_PX, Math.min(c.fitHeightPx, c.tileWidthPx / MAX_ASPECT)),
  );
  return {
    mode,
    columns: c.columns,
    tileWidthPx: c.tileWidthPx,
    tileHeightPx,
    detail: tileDetail(c.tileWidthPx, tileHeightPx),
  };
}

export function boardLayout(geometry: BoardGeometry): BoardLayout {
  if (geometry.lineSizes.length === 0) {
    return {
      mode: 'lines',
      columns: 1,
      tileWidthPx: geometry.widthPx,
      tileHeightPx: MIN_TILE_HEIGHT_PX,
      detail: 'minimal',
    };
  }
  const lines = best(stacked(geometry));
  if (lines.fitHeightPx >= STACKED_MIN_HEIGHT_PX) return finish('lines', lines);
  const flowed = best(flow(geometry));
  return flowed.score > lines.score ? finish('flow', flowed) : finish('lines', lines);
}
