/**
 * ECharts options for the plan (issue 21): the plant Gantt (custom series over a time axis,
 * rows = machines) and the line load (booked against available hours per plant day, one grid
 * per line). Pure option builders shared by the Planning page and the planning board; the
 * labels come in already translated.
 */
import type { PlanLoad } from '@takt/protocol/api';
import { CHART_COLORS, THEME } from '../charts/colors';
import { axisTimeLabel } from './axis-time';
import type { GhostBar, PlanBar, PlanGantt, PlanTone } from './plan-gantt';

type Option = Record<string, unknown>;

export const TONE_COLORS: Record<PlanTone, string> = {
  'on-track': THEME.ok,
  'at-risk': THEME.warn,
  late: THEME.bad,
};
/** The calculator's new order and the orders it would delay (the order page's ETA violet). */
export const GHOST_COLOR = '#a78bfa';

interface RenderParams {
  coordSys: { x: number; y: number; width: number; height: number };
}
interface RenderApi {
  value: (i: number) => number;
  coord: (v: [number, number]) => [number, number];
  size: (v: [number, number]) => [number, number];
}

export interface GanttLabels {
  now: string;
  promised: string;
  newOrder: string;
  due: (order: string) => string;
  bar: (bar: PlanBar) => string;
  ghost: (ghost: GhostBar) => string;
}

export interface GanttChartInput {
  gantt: PlanGantt;
  nowMs: number;
  timeZone: string;
  range: { minMs: number; maxMs: number };
  window: { startMs: number; endMs: number };
  /** The page scrolls and zooms (dataZoom); a board shows `window` as it is. */
  zoom: boolean;
  labels: GanttLabels;
  fontSize?: number;
}

/** The tallest bar, px: a row taller than twice this is drawn as if it were that tall. */
const MAX_BAR_PX = 36;

/** A rectangle from `fromMs` to `toMs` on `row`, `share` of the row's height, clipped to the grid. */
function rowRect(
  params: RenderParams,
  api: RenderApi,
  row: number,
  fromMs: number,
  toMs: number,
  share: number,
  offset = 0,
): { x: number; y: number; width: number; height: number } | null {
  const start = api.coord([fromMs, row]);
  const end = api.coord([toMs, row]);
  const band = api.size([0, 1])[1];
  const { x: left, width: w } = params.coordSys;
  const x = Math.max(start[0], left);
  const right = Math.min(end[0], left + w);
  if (right < left || x > left + w) return null;
  // A board with few machines has tall rows: bars stay bars, not blocks.
  const unit = Math.min(band, MAX_BAR_PX * 2);
  const height = unit * share;
  return { x, y: start[1] - height / 2 + unit * offset, width: Math.max(2, right - x), height };
}

function barSeries(input: GanttChartInput): Option {
  const { gantt, labels } = input;
  const font = input.fontSize ?? 12;
  return {
    type: 'custom',
    name: 'operations',
    encode: { x: [1, 2], y: 0 },
    renderItem: (params: RenderParams, api: RenderApi) => {
      const bar = gantt.bars[api.value(3)]!;
      const rect = rowRect(params, api, bar.row, bar.fromMs, bar.toMs, 0.5);
      if (!rect) return null;
      const delayed = bar.delayedByMs !== null;
      const text = `${bar.running ? '▶ ' : ''}${bar.order}`;
      return {
        type: 'group',
        children: [
          {
            type: 'rect',
            shape: { ...rect, r: 3 },
            style: {
              fill: TONE_COLORS[bar.tone],
              stroke: delayed ? GHOST_COLOR : bar.running ? THEME.text : THEME.panelEdge,
              lineWidth: delayed ? 3 : bar.running ? 2 : 1,
              ...(delayed ? { lineDash: [6, 3] } : {}),
            },
          },
          ...(rect.width > text.length * font * 0.62
            ? [
                {
                  type: 'text',
                  style: {
                    x: rect.x + 4,
                    y: rect.y + rect.height / 2,
                    text,
                    fill: bar.tone === 'at-risk' ? THEME.onWarn : '#06121d',
                    font: `600 ${font}px sans-serif`,
                    verticalAlign: 'middle',
                  },
                  silent: true,
                },
              ]
            : []),
        ],
      };
    },
    data: gantt.bars.map((b, i) => ({ value: [b.row, b.fromMs, b.toMs, i] })),
    tooltip: { formatter: (p: { dataIndex: number }) => labels.bar(gantt.bars[p.dataIndex]!) },
  };
}

function ghostSeries(input: GanttChartInput): Option {
  const { gantt, labels } = input;
  const font = input.fontSize ?? 12;
  return {
    type: 'custom',
    name: 'new order',
    encode: { x: [1, 2], y: 0 },
    renderItem: (params: RenderParams, api: RenderApi) => {
      const ghost = gantt.ghosts[api.value(3)]!;
      // In the lower part of the row, over the bars it would push: both stay visible.
      const rect = rowRect(params, api, ghost.row, ghost.fromMs, ghost.toMs, 0.3, 0.3);
      if (!rect) return null;
      return {
        type: 'group',
        children: [
          {
            type: 'rect',
            shape: { ...rect, r: 3 },
            style: {
              fill: 'rgba(167, 139, 250, 0.3)',
              stroke: GHOST_COLOR,
              lineWidth: 2,
              lineDash: [5, 4],
            },
          },
          {
            type: 'text',
            style: {
              x: rect.x + 4,
              y: rect.y + rect.height / 2,
              text: labels.newOrder,
              fill: THEME.text,
              // The strip is thin on a page with many rows: the word fits in it.
              font: `700 ${Math.max(8, Math.min(font, Math.floor(rect.height)))}px sans-serif`,
              verticalAlign: 'middle',
            },
            silent: true,
          },
        ],
      };
    },
    data: gantt.ghosts.map((g, i) => ({ value: [g.row, g.fromMs, g.toMs, i] })),
    tooltip: { formatter: (p: { dataIndex: number }) => labels.ghost(gantt.ghosts[p.dataIndex]!) },
  };
}

/** The new order's p10–p90 band as a thin line at the top of its last ghost's row, the promise as a tick. */
function bandSeries(input: GanttChartInput): Option | null {
  const band = input.gantt.band;
  if (!band) return null;
  return {
    type: 'custom',
    name: 'band',
    silent: true,
    encode: { x: [1, 2], y: 0 },
    renderItem: (params: RenderParams, api: RenderApi) => {
      const rect = rowRect(params, api, band.row, band.fromMs, band.toMs, 0.08, -0.38);
      const tick = rowRect(params, api, band.row, band.promisedMs, band.promisedMs, 0.9);
      return {
        type: 'group',
        children: [
          ...(rect ? [{ type: 'rect', shape: rect, style: { fill: GHOST_COLOR } }] : []),
          ...(tick
            ? [{ type: 'rect', shape: { ...tick, width: 3 }, style: { fill: GHOST_COLOR } }]
            : []),
        ],
      };
    },
    data: [{ value: [band.row, band.fromMs, band.toMs] }],
  };
}

/** Each order's due date: a short upright mark on the row of its last operation. */
function dueSeries(input: GanttChartInput): Option {
  const { gantt, labels } = input;
  return {
    type: 'custom',
    name: 'due',
    encode: { x: [1, 1], y: 0 },
    renderItem: (params: RenderParams, api: RenderApi) => {
      const due = gantt.dues[api.value(2)]!;
      const at = api.coord([due.atMs, due.row]);
      const band = Math.min(api.size([0, 1])[1], MAX_BAR_PX * 2);
      const { x: left, width } = params.coordSys;
      if (at[0] < left || at[0] > left + width) return null;
      const top = at[1] - band * 0.42;
      return {
        type: 'group',
        children: [
          {
            type: 'rect',
            shape: { x: at[0] - 1.5, y: top, width: 3, height: band * 0.84 },
            style: { fill: TONE_COLORS[due.tone] },
          },
          {
            type: 'polygon',
            shape: {
              points: [
                [at[0] - 6, top - 7],
                [at[0] + 6, top - 7],
                [at[0], top],
              ],
            },
            style: { fill: TONE_COLORS[due.tone], stroke: THEME.text, lineWidth: 1 },
          },
        ],
      };
    },
    data: gantt.dues.map((d, i) => ({ value: [d.row, d.atMs, i] })),
    tooltip: {
      formatter: (p: { dataIndex: number }) => labels.due(gantt.dues[p.dataIndex]!.order),
    },
  };
}

/** The plant Gantt: machines × time, bars by health, due marks, ghosts, a now-line. */
export function ganttOption(input: GanttChartInput): Option {
  const { gantt, range, window: shown, zoom, labels, timeZone } = input;
  const font = input.fontSize ?? 12;
  const span = shown.endMs - shown.startMs;
  const band = bandSeries(input);
  return {
    animation: false,
    tooltip: { trigger: 'item', confine: true },
    grid: { left: 8, right: 24, top: 24, bottom: zoom ? 56 : 28, containLabel: true },
    xAxis: {
      type: 'time',
      min: zoom ? range.minMs : shown.startMs,
      max: zoom ? range.maxMs : shown.endMs,
      axisLabel: {
        color: CHART_COLORS.axisLabel,
        fontSize: font,
        formatter: (v: number) => axisTimeLabel(v, span, timeZone),
      },
      splitLine: { show: true, lineStyle: { color: THEME.panelEdge } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: gantt.rows.map((r) => r.name),
      axisLabel: { color: THEME.text, fontSize: font + 2 },
      splitLine: { show: true, lineStyle: { color: THEME.panelEdge } },
    },
    dataZoom: zoom
      ? [
          {
            type: 'inside',
            xAxisIndex: 0,
            filterMode: 'weakFilter',
            startValue: shown.startMs,
            endValue: shown.endMs,
          },
          {
            type: 'slider',
            xAxisIndex: 0,
            filterMode: 'weakFilter',
            startValue: shown.startMs,
            endValue: shown.endMs,
            height: 18,
            bottom: 10,
            labelFormatter: (v: number) => axisTimeLabel(v, span, timeZone),
            textStyle: { color: CHART_COLORS.axisLabel },
          },
        ]
      : [],
    series: [
      barSeries(input),
      ghostSeries(input),
      ...(band ? [band] : []),
      dueSeries(input),
      {
        type: 'line',
        data: [],
        markLine: {
          symbol: 'none',
          silent: true,
          data: [
            {
              xAxis: input.nowMs,
              name: labels.now,
              lineStyle: { color: THEME.accent, type: 'solid', width: 2 },
              // The y axis is inverted: the line's start is its top.
              label: { formatter: '{b}', color: THEME.accent, position: 'start', fontSize: font },
            },
            ...(gantt.band
              ? [
                  {
                    xAxis: gantt.band.promisedMs,
                    name: labels.promised,
                    lineStyle: { color: GHOST_COLOR, type: 'dashed', width: 2 },
                    label: {
                      formatter: '{b}',
                      color: GHOST_COLOR,
                      position: 'start',
                      fontSize: font,
                    },
                  },
                ]
              : []),
          ],
        },
      },
    ],
  };
}

export interface LoadLabels {
  booked: string;
  available: string;
  hours: string;
}

/** The plant days (`YYYY-MM-DD`) each line is overloaded on. */
export function overloadedDays(
  load: PlanLoad,
  line: string | null,
): { line: string; days: string[] }[] {
  return load.lines
    .filter((l) => line === null || l.id === line)
    .map((l) => ({ line: l.id, days: l.days.filter((d) => d.overloaded).map((d) => d.date) }));
}

/**
 * The line load: one grid per line, stacked, x = plant day (MM-DD), a slate bar for the
 * available hours with the booked hours in front of it, red on an overloaded day.
 */
export function loadOption(
  load: PlanLoad,
  lines: readonly { id: string; name: string }[],
  labels: LoadLabels,
  fontSize = 12,
): Option {
  // One band per line, in percent of the chart's height: room above each for its name.
  const share = 100 / Math.max(1, lines.length);
  const grids = lines.map((_, i) => ({
    left: 8,
    right: 16,
    top: `${(i * share + 9).toFixed(1)}%`,
    height: `${(share - 14).toFixed(1)}%`,
    containLabel: true,
  }));
  const days = load.days.map((d) => d.slice(5));
  const series: Option[] = [];
  lines.forEach((line, i) => {
    const row = load.lines.find((l) => l.id === line.id);
    const byDay = new Map(row?.days.map((d) => [d.date, d]) ?? []);
    const cells = load.days.map((d) => byDay.get(d));
    series.push(
      {
        type: 'bar',
        name: labels.available,
        xAxisIndex: i,
        yAxisIndex: i,
        barWidth: '60%',
        itemStyle: { color: THEME.slate },
        data: cells.map((c) => (c ? Math.round(c.availableH * 10) / 10 : 0)),
      },
      {
        type: 'bar',
        name: labels.booked,
        xAxisIndex: i,
        yAxisIndex: i,
        barWidth: '36%',
        barGap: '-80%',
        itemStyle: { color: THEME.accent },
        data: cells.map((c) => ({
          value: c ? Math.round(c.bookedH * 10) / 10 : 0,
          itemStyle: { color: c?.overloaded ? THEME.bad : THEME.accent },
        })),
      },
    );
  });
  return {
    animation: false,
    legend: {
      top: 0,
      data: [labels.booked, labels.available],
      textStyle: { color: THEME.text, fontSize },
    },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: grids,
    xAxis: lines.map((_, i) => ({
      type: 'category',
      gridIndex: i,
      data: days,
      axisLabel: { color: CHART_COLORS.axisLabel, fontSize },
    })),
    yAxis: lines.map((line, i) => ({
      type: 'value',
      gridIndex: i,
      splitNumber: 3,
      name: `${line.name} (${labels.hours})`,
      nameTextStyle: { color: THEME.text, fontSize, align: 'left' },
      axisLabel: { color: CHART_COLORS.axisLabel, fontSize },
      splitLine: { lineStyle: { color: THEME.panelEdge } },
    })),
    series,
  };
}
