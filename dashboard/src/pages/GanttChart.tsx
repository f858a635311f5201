import { useMemo } from 'react';
import { useT } from '../i18n';
import { ganttBars, ganttRange, type GanttInput } from '../lib/gantt';
import { axisTimeLabel } from '../lib/axis-time';
import { plantDateTime } from '../lib/plant-time';
import { TEST_IDS } from '../testids';
import { EChart, type ChartOption } from './EChart';
import { CHART_COLORS, THEME } from '../charts/colors';

const COLORS = {
  planned: THEME.slate,
  done: THEME.ok,
  running: THEME.accent,
  paused: THEME.warn,
  pending: '#64748b',
};

interface RenderApi {
  value: (i: number) => number;
  coord: (v: [number, number]) => [number, number];
  size: (v: [number, number]) => [number, number];
  style: () => Record<string, unknown>;
}

/**
 * The operations as a Gantt (ECharts custom series): one row per operation in routing order,
 * the planned span (ideal cycle × quantity) as a thin grey bar above what actually ran,
 * coloured by the operation's status; lines for now, the due date and the ETA.
 */
export function GanttChart({
  input,
  dueMs,
  etaMs,
  timeZone,
}: {
  input: GanttInput;
  dueMs: number | null;
  etaMs: number | null;
  timeZone: string;
}) {
  const { t } = useT();
  const bars = useMemo(() => ganttBars(input), [input]);
  const option = useMemo((): ChartOption => {
    const range = ganttRange(bars, [dueMs, etaMs, input.nowMs], input.nowMs);
    const marks = [
      { xAxis: input.nowMs, name: t('wo.now'), color: THEME.text },
      ...(dueMs !== null ? [{ xAxis: dueMs, name: t('wo.due'), color: THEME.bad }] : []),
      ...(etaMs !== null ? [{ xAxis: etaMs, name: t('wo.eta'), color: '#a78bfa' }] : []),
    ];
    return {
      tooltip: {
        formatter: (p: { value?: unknown[] }) => {
          const v = p.value;
          if (!Array.isArray(v)) return '';
          const [row, from, to, kind] = v as [number, number, number, string];
          const op = input.operations[row];
          return `${op?.id ?? ''} · ${op?.machine ?? ''}<br/>${kind === 'planned' ? t('wo.planned') : t('wo.actual')}: ${plantDateTime(from, timeZone)} – ${plantDateTime(to, timeZone)}`;
        },
      },
      grid: { left: 170, right: 40, top: 30, bottom: 50 },
      xAxis: {
        type: 'time',
        min: range.minMs,
        max: range.maxMs,
        axisLabel: {
          color: CHART_COLORS.axisLabel,
          formatter: (v: number) => axisTimeLabel(v, range.maxMs - range.minMs, timeZone),
        },
        splitLine: { show: true, lineStyle: { color: THEME.panelEdge } },
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: input.operations.map((o) => `${o.id} · ${o.machine}`),
        axisLabel: { color: THEME.text, fontSize: 14 },
      },
      series: [
        {
          type: 'custom',
          encode: { x: [1, 2], y: 0 },
          renderItem: (_params: unknown, api: RenderApi) => {
            const row = api.value(0);
            const planned = api.value(3) === 0;
            const start = api.coord([api.value(1), row]);
            const end = api.coord([api.value(2), row]);
            const band = api.size([0, 1])[1];
            const height = band * (planned ? 0.16 : 0.42);
            const y = planned ? start[1] - band * 0.36 : start[1] - band * 0.14;
            return {
              type: 'rect',
              shape: { x: start[0], y, width: Math.max(2, end[0] - start[0]), height },
              style: api.style(),
            };
          },
          data: bars.map((b) => ({
            value: [b.row, b.fromMs, b.toMs, b.kind === 'planned' ? 0 : 1],
            itemStyle: { color: b.kind === 'planned' ? COLORS.planned : COLORS[b.status] },
          })),
        },
        {
          type: 'line',
          data: [],
          markLine: {
            symbol: 'none',
            silent: true,
            data: marks.map((m) => ({
              xAxis: m.xAxis,
              name: m.name,
              lineStyle: { color: m.color, type: 'dashed', width: 2 },
              label: { formatter: '{b}', color: m.color, position: 'end' },
            })),
          },
        },
      ],
    };
  }, [bars, dueMs, etaMs, input, timeZone, t]);
  return (
    <EChart
      option={option}
      className="chart--gantt"
      testId={TEST_IDS.gantt}
      data={{
        operations: JSON.stringify(input.operations.map((o) => o.id)),
        bars: JSON.stringify(bars.map((b) => [b.operation, b.kind])),
      }}
    />
  );
}
