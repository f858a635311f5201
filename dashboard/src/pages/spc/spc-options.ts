/**
 * ECharts options of the SPC page, pure (docs/dashboard.md "SPC"): the control chart with
 * zones A/B/C shaded and UCL/CL/LCL drawn, violations marked with their rule; the R, S or MR
 * chart; the histogram with LSL, USL and nominal.
 */
import type { SpcChart } from '@takt/protocol/api';
import { CHART_COLORS, THEME } from '../../charts/colors';
import type { ChartOption } from '../EChart';

export interface Labels {
  value: string;
  range: string;
  center: string;
  ucl: string;
  lcl: string;
  lsl: string;
  usl: string;
  nominal: string;
  count: string;
}

const AXIS = {
  axisLabel: { color: CHART_COLORS.axisLabel },
  axisLine: { lineStyle: { color: THEME.rule } },
  splitLine: { lineStyle: { color: THEME.panelEdge } },
};

/** ECharts rounds a mark line's value to 2 decimals by default: limits need all of theirs. */
const MARK_PRECISION = 10;

/** Zone fills: C (within 1σ) calm, B (1–2σ) amber, A (2–3σ) red, faint. */
const ZONE = { C: 'rgba(34,197,94,0.10)', B: 'rgba(245,158,11,0.12)', A: 'rgba(239,68,68,0.14)' };

function fixed(v: number, decimals: number): string {
  return v.toFixed(decimals);
}

/** Decimals enough to tell the limits apart. */
export function decimalsFor(chart: Pick<SpcChart, 'ucl' | 'lcl'>): number {
  const span = (chart.ucl ?? 1) - (chart.lcl ?? 0);
  if (!(span > 0)) return 3;
  return Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(span))));
}

function limitLine(name: string, value: number, color: string, decimals: number, dashed = true) {
  return {
    name,
    yAxis: value,
    lineStyle: { color, type: dashed ? 'dashed' : 'solid', width: 1.5 },
    label: { formatter: `${name} ${fixed(value, decimals)}`, color, position: 'insideEndTop' },
  };
}

function zones(center: number, ucl: number) {
  const s = (ucl - center) / 3;
  const band = (from: number, to: number, color: string, name: string) => [
    {
      yAxis: from,
      itemStyle: { color },
      name,
      label: { position: 'insideLeft', color: CHART_COLORS.axisLabel },
    },
    { yAxis: to },
  ];
  return [
    band(center - s, center + s, ZONE.C, 'C'),
    band(center + s, center + 2 * s, ZONE.B, 'B'),
    band(center - 2 * s, center - s, ZONE.B, 'B'),
    band(center + 2 * s, center + 3 * s, ZONE.A, 'A'),
    band(center - 3 * s, center - 2 * s, ZONE.A, 'A'),
  ];
}

/** Smallest and largest of the finite numbers given. */
function extent(values: readonly (number | null | undefined)[]): [number, number] {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return xs.length === 0 ? [0, 1] : [Math.min(...xs), Math.max(...xs)];
}

/** An axis range with a margin of 10 % of the span each side, so nothing sits on the edge. */
function padded(lo: number, hi: number): { min: number; max: number } {
  const margin = (hi - lo || Math.abs(hi) || 1) * 0.1;
  return { min: lo - margin, max: hi + margin };
}

/** The violations per point index: rule ids, in order. */
export function violationsByIndex(chart: Pick<SpcChart, 'violations'>): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const v of chart.violations) out.set(v.index, [...(out.get(v.index) ?? []), v.rule]);
  return out;
}

export function controlChartOption(
  chart: SpcChart,
  axisLabels: readonly string[],
  labels: Labels,
): ChartOption {
  const decimals = decimalsFor(chart);
  const marked = violationsByIndex(chart);
  const data = chart.points.map((p, i) => {
    const rules = marked.get(i);
    if (!rules) return p.value;
    return {
      value: p.value,
      symbol: 'diamond',
      symbolSize: 14,
      itemStyle: { color: THEME.bad },
      label: {
        show: true,
        formatter: rules.join(' '),
        color: THEME.bad,
        position: 'top',
        fontWeight: 'bold',
      },
    };
  });
  const limits = chart.center !== null && chart.ucl !== null && chart.lcl !== null;
  const [lo, hi] = extent([...chart.points.map((p) => p.value), chart.ucl, chart.lcl]);
  return {
    grid: { left: 70, right: 120, top: 24, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: [...axisLabels], ...AXIS },
    yAxis: {
      type: 'value',
      scale: true,
      name: labels.value,
      nameTextStyle: { color: CHART_COLORS.axisLabel },
      ...padded(lo, hi),
      axisLabel: {
        color: CHART_COLORS.axisLabel,
        formatter: (v: number) => fixed(v, decimals),
        showMinLabel: false,
        showMaxLabel: false,
      },
      axisLine: AXIS.axisLine,
      splitLine: { show: false },
    },
    series: [
      {
        type: 'line',
        name: labels.value,
        data,
        symbol: 'circle',
        symbolSize: 6,
        lineStyle: { color: THEME.accent, width: 2 },
        itemStyle: { color: THEME.accent },
        markArea: limits ? { silent: true, data: zones(chart.center!, chart.ucl!) } : undefined,
        markLine: limits
          ? {
              silent: true,
              symbol: 'none',
              precision: MARK_PRECISION,
              data: [
                limitLine(labels.ucl, chart.ucl!, THEME.bad, decimals),
                limitLine(labels.center, chart.center!, THEME.ok, decimals, false),
                limitLine(labels.lcl, chart.lcl!, THEME.bad, decimals),
              ],
            }
          : undefined,
      },
    ],
  };
}

export function rangeChartOption(
  chart: SpcChart,
  axisLabels: readonly string[],
  labels: Labels,
): ChartOption {
  const decimals = Math.min(6, decimalsFor(chart) + 1);
  const lines = [
    chart.rangeUcl !== null ? limitLine(labels.ucl, chart.rangeUcl, THEME.bad, decimals) : null,
    chart.rangeCenter !== null
      ? limitLine(labels.center, chart.rangeCenter, THEME.ok, decimals, false)
      : null,
    chart.rangeLcl !== null && chart.rangeLcl > 0
      ? limitLine(labels.lcl, chart.rangeLcl, THEME.bad, decimals)
      : null,
  ].filter((l) => l !== null);
  return {
    grid: { left: 70, right: 120, top: 16, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: [...axisLabels], ...AXIS },
    yAxis: {
      type: 'value',
      name: labels.range,
      min: 0,
      max: padded(...extent([...chart.points.map((p) => p.range), chart.rangeUcl])).max,
      axisLabel: {
        color: CHART_COLORS.axisLabel,
        formatter: (v: number) => fixed(v, decimals),
        showMaxLabel: false,
      },
      nameTextStyle: { color: CHART_COLORS.axisLabel },
      splitLine: { show: false },
    },
    series: [
      {
        type: 'line',
        name: labels.range,
        data: chart.points.map((p) => p.range),
        connectNulls: false,
        symbolSize: 5,
        lineStyle: { color: THEME.muted },
        itemStyle: { color: THEME.muted },
        markLine: { silent: true, symbol: 'none', precision: MARK_PRECISION, data: lines },
      },
    ],
  };
}

export function histogramOption(chart: SpcChart, labels: Labels): ChartOption {
  const bins = chart.histogram.bins;
  const decimals = decimalsFor(chart);
  const marks = [
    chart.lsl !== null ? { name: labels.lsl, value: chart.lsl, color: THEME.bad } : null,
    chart.usl !== null ? { name: labels.usl, value: chart.usl, color: THEME.bad } : null,
    chart.nominal !== null ? { name: labels.nominal, value: chart.nominal, color: THEME.ok } : null,
  ].filter((m) => m !== null);
  const xs = [...bins.flatMap((b) => [b.from, b.to]), ...marks.map((m) => m.value)];
  const span = Math.max(...xs) - Math.min(...xs) || 1;
  return {
    grid: { left: 60, right: 30, top: 30, bottom: 40 },
    tooltip: {},
    xAxis: {
      type: 'value',
      min: Math.min(...xs) - span * 0.05,
      max: Math.max(...xs) + span * 0.05,
      axisLabel: { color: CHART_COLORS.axisLabel, formatter: (v: number) => fixed(v, decimals) },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      name: labels.count,
      minInterval: 1,
      nameTextStyle: { color: CHART_COLORS.axisLabel },
      ...AXIS,
    },
    series: [
      {
        type: 'custom',
        name: labels.count,
        data: bins.map((b) => [b.from, b.to, b.count]),
        encode: { x: [0, 1], y: 2 },
        renderItem: (_params: unknown, api: CustomApi) => {
          const [x0, y0] = api.coord([api.value(0), api.value(2)]);
          const [x1, y1] = api.coord([api.value(1), 0]);
          return {
            type: 'rect',
            shape: { x: x0, y: y0, width: Math.max(1, x1 - x0 - 1), height: y1 - y0 },
            style: { fill: THEME.accent, opacity: 0.75 },
          };
        },
      },
      {
        type: 'line',
        data: [],
        markLine: {
          silent: true,
          symbol: 'none',
          precision: MARK_PRECISION,
          data: marks.map((m) => ({
            xAxis: m.value,
            lineStyle: {
              color: m.color,
              width: 2,
              type: m.name === labels.nominal ? 'solid' : 'dashed',
            },
            label: { formatter: `${m.name} ${fixed(m.value, decimals)}`, color: m.color },
          })),
        },
      },
    ],
  };
}

interface CustomApi {
  value: (dim: number) => number;
  coord: (point: number[]) => [number, number];
}
