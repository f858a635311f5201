import type { SpcChart } from '@takt/protocol/api';
import { describe, expect, it } from 'vitest';
import { routeFor } from '../../src/lib/route';
import {
  controlChartOption,
  decimalsFor,
  histogramOption,
  rangeChartOption,
  violationsByIndex,
  type Labels,
} from '../../src/pages/spc/spc-options';
import { formatIndex, specText } from '../../src/pages/spc/spc-format';

const LABELS: Labels = {
  value: 'Mean',
  range: 'R',
  center: 'CL',
  ucl: 'UCL',
  lcl: 'LCL',
  lsl: 'LSL',
  usl: 'USL',
  nominal: 'Nominal',
  count: 'Count',
};

function chart(over: Partial<SpcChart> = {}): SpcChart {
  const point = (value: number, range: number | null) => ({
    at: '2026-12-01T00:00:00.000Z',
    value,
    range,
    values: [],
    n: null,
    workOrder: null,
    operation: null,
    operator: null,
    source: 'api' as const,
  });
  return {
    id: 'd',
    name: 'Diameter',
    unit: 'mm',
    nominal: 25,
    lsl: 24.95,
    usl: 25.05,
    chart: 'xbar-r',
    subgroupSize: 5,
    rules: ['we1'],
    product: null,
    operation: null,
    machine: null,
    source: 'manual',
    from: '2026-12-01T00:00:00.000Z',
    to: '2026-12-02T00:00:00.000Z',
    center: 25.002,
    ucl: 25.0096,
    lcl: 24.9944,
    rangeCenter: 0.0132,
    rangeUcl: 0.0279,
    rangeLcl: 0,
    baseline: null,
    baselineWarning: null,
    points: [point(25.001, 0.01), point(25.003, 0.012), point(25.04, 0.004)],
    violations: [
      { rule: 'we1', at: '2026-12-01T02:00:00.000Z', index: 2, message: '' },
      { rule: 'we4', at: '2026-12-01T02:00:00.000Z', index: 2, message: '' },
    ],
    cp: 2,
    cpk: 1.8,
    pp: 1.5,
    ppk: 1.4,
    ci: { cp: null, cpk: null, pp: null, ppk: null },
    histogram: {
      bins: [
        { from: 24.95, to: 25, count: 1 },
        { from: 25, to: 25.05, count: 2 },
      ],
      normality: null,
    },
    ...over,
  };
}

type Series = {
  data: unknown[];
  markLine?: { precision: number; data: { yAxis?: number; xAxis?: number }[] };
  markArea?: { data: [{ yAxis: number; name: string }, { yAxis: number }][] };
};
const seriesOf = (option: unknown) => (option as { series: Series[] }).series;
const yAxisOf = (option: unknown) => (option as { yAxis: { min: number; max: number } }).yAxis;

describe('SPC chart options', () => {
  it('draws UCL, CL and LCL at their full value, and zones A/B/C 1σ wide each side', () => {
    const [line] = seriesOf(controlChartOption(chart(), ['a', 'b', 'c'], LABELS));
    expect(line!.markLine!.precision).toBeGreaterThanOrEqual(6);
    expect(line!.markLine!.data.map((d) => d.yAxis)).toEqual([25.0096, 25.002, 24.9944]);
    const sigma = (25.0096 - 25.002) / 3;
    const bands = line!.markArea!.data.map(([from, to]) => [from.name, from.yAxis, to.yAxis]);
    expect(bands).toHaveLength(5);
    expect(bands[0]![0]).toBe('C');
    expect(bands[0]![1]).toBeCloseTo(25.002 - sigma, 12);
    expect(bands[0]![2]).toBeCloseTo(25.002 + sigma, 12);
    expect(bands[3]).toEqual([
      'A',
      expect.closeTo(25.002 + 2 * sigma, 12),
      expect.closeTo(25.0096, 12),
    ]);
  });

  it('marks a violating point with its rules and keeps it inside the axis', () => {
    const option = controlChartOption(chart(), ['a', 'b', 'c'], LABELS);
    const [line] = seriesOf(option);
    expect(line!.data[0]).toBe(25.001);
    expect(line!.data[2]).toMatchObject({ value: 25.04, label: { formatter: 'we1 we4' } });
    expect(yAxisOf(option).max).toBeGreaterThan(25.04);
    expect(yAxisOf(option).min).toBeLessThan(24.9944);
    expect(violationsByIndex(chart()).get(2)).toEqual(['we1', 'we4']);
  });

  it('scales the range chart to its UCL and the histogram to both spec limits', () => {
    expect(yAxisOf(rangeChartOption(chart(), ['a', 'b', 'c'], LABELS)).max).toBeGreaterThan(0.0279);
    const h = histogramOption(chart(), LABELS) as { xAxis: { min: number; max: number } };
    expect(h.xAxis.min).toBeLessThan(24.95);
    expect(h.xAxis.max).toBeGreaterThan(25.05);
    const marks = seriesOf(h)[1]!.markLine!.data.map((d) => d.xAxis);
    expect(marks).toEqual([24.95, 25.05, 25]);
  });

  it('formats indices, specs and decimals', () => {
    expect(formatIndex(1.333)).toBe('1.33');
    expect(formatIndex(null)).toBe('–');
    expect(specText({ lsl: 24.95, usl: 25.05, nominal: 25, unit: 'mm' })).toBe(
      '24.95 – 25.05 mm (25)',
    );
    expect(specText({ lsl: null, usl: null, nominal: null, unit: null })).toBe('–');
    expect(decimalsFor({ ucl: 25.0096, lcl: 24.9944 })).toBe(4);
  });
});

describe('SPC routes', () => {
  it('reads /spc and /spc/<id>, and refuses an id that is not one', () => {
    expect(routeFor('/spc', '')).toEqual({ kind: 'spc' });
    expect(routeFor('/spc/shaft-diameter/', '')).toEqual({
      kind: 'spc-chart',
      id: 'shaft-diameter',
    });
    expect(routeFor('/spc/%20bad', '').kind).toBe('bad-url');
  });
});
