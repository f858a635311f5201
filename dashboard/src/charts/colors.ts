/**
 * The wall-screen palette for what CSS cannot reach: ECharts draws on a canvas and machine
 * states carry their colours in data. `THEME` mirrors the custom properties of
 * styles/board.css `:root` (`panelEdge` is `--panel-edge`); a unit test keeps the two equal,
 * so change a colour in both places.
 */
export const THEME = {
  panelEdge: '#1f2935',
  text: '#eef2f6',
  muted: '#8d9aab',
  accent: '#38bdf8',
  ok: '#22c55e',
  warn: '#f59e0b',
  bad: '#ef4444',
  /** Text on `warn`. */
  onWarn: '#2a1800',
  slate: '#475569',
  rule: '#334155',
} as const;

/** Colours only charts use. */
export const CHART_COLORS = {
  /** Axis labels and names. */
  axisLabel: '#c9d3df',
} as const;
