/** The analytics page's charts: OEE trend, downtime Pareto, six big losses, andon response times (ECharts options). */
import { useMemo } from 'react';
import { useT } from '../i18n';
import { formatDuration } from '../lib/format';
import { LOSS_KEYS, type ParetoRow, type SixBigLosses, type TrendPoint } from '../lib/oee-report';
import { TEST_IDS } from '../testids';
import type { AndonTimeRow } from './analytics-data';
import { EChart, type ChartOption } from './EChart';
import { CHART_COLORS, THEME } from '../charts/colors';

const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
const minutes = (ms: number) => Math.round(ms / 600) / 100;
const AXIS = { color: CHART_COLORS.axisLabel, fontSize: 13 };
const GRID_LINES = { lineStyle: { color: THEME.panelEdge } };

export function OeeTrendChart({
  points,
  bucket,
}: {
  points: TrendPoint[];
  bucket: 'shift' | 'day';
}) {
  const { t } = useT();
  const option = useMemo((): ChartOption => {
    const series = (
      [
        ['oee.oee', 'oee', THEME.accent, 4],
        ['oee.availability', 'availability', '#4ade80', 2],
        ['oee.performance', 'performance', '#facc15', 2],
        ['oee.quality', 'quality', '#c084fc', 2],
      ] as const
    ).map(([key, field, color, width]) => ({
      type: 'line',
      name: t(key),
      data: points.map((p) => pct(p[field])),
      connectNulls: false,
      symbolSize: 8,
      lineStyle: { width, color },
      itemStyle: { color },
    }));
    return {
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (v == null ? '—' : `${String(v)} %`),
      },
      legend: { top: 0, textStyle: AXIS },
      grid: { left: 50, right: 20, top: 40, bottom: 60 },
      xAxis: {
        type: 'category',
        data: points.map((p) => p.label),
        axisLabel: { ...AXIS, rotate: points.length > 8 ? 30 : 0 },
      },
      yAxis: {
        type: 'value',
        min: 0,
        max: (v: { max: number }) => Math.max(100, Math.ceil(v.max / 10) * 10),
        axisLabel: { ...AXIS, formatter: '{value} %' },
        splitLine: GRID_LINES,
      },
      series,
    };
  }, [points, t]);
  return (
    <section className="panel">
      <h3>{t(bucket === 'day' ? 'analytics.trendDay' : 'analytics.trendShift')}</h3>
      {points.length === 0 ? <p className="panel__empty">{t('analytics.noTrend')}</p> : null}
      <EChart
        option={option}
        testId={TEST_IDS.oeeTrend}
        data={{ points: JSON.stringify(points.map((p) => [p.label, pct(p.oee)])) }}
      />
    </section>
  );
}

export function ParetoChart({ rows }: { rows: ParetoRow[] }) {
  const { t } = useT();
  const option = useMemo(
    (): ChartOption => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: AXIS },
      grid: { left: 60, right: 60, top: 40, bottom: 80 },
      xAxis: {
        type: 'category',
        data: rows.map((r) => r.label),
        axisLabel: { ...AXIS, interval: 0, rotate: rows.length > 5 ? 30 : 0 },
      },
      yAxis: [
        {
          type: 'value',
          name: t('analytics.downtimeMin'),
          nameTextStyle: AXIS,
          axisLabel: AXIS,
          splitLine: GRID_LINES,
        },
        {
          type: 'value',
          min: 0,
          max: 100,
          axisLabel: { ...AXIS, formatter: '{value} %' },
          splitLine: { show: false },
        },
      ],
      series: [
        {
          type: 'bar',
          name: t('analytics.downtimeMin'),
          data: rows.map((r) => minutes(r.durationMs)),
          itemStyle: { color: '#f87171' },
          barMaxWidth: 60,
        },
        {
          type: 'line',
          name: t('analytics.cumulative'),
          yAxisIndex: 1,
          data: rows.map((r) => r.cumulativePct),
          itemStyle: { color: '#facc15' },
          lineStyle: { width: 3 },
        },
      ],
    }),
    [rows, t],
  );
  return (
    <section className="panel">
      <h3>{t('analytics.pareto')}</h3>
      {rows.length === 0 ? <p className="panel__empty">{t('analytics.noDowntime')}</p> : null}
      <EChart
        option={option}
        testId={TEST_IDS.pareto}
        data={{
          categories: JSON.stringify(rows.map((r) => r.label)),
          cumulative: JSON.stringify(rows.map((r) => r.cumulativePct)),
        }}
      />
    </section>
  );
}

const LOSS_COLORS = [THEME.bad, '#f97316', '#eab308', '#facc15', '#a855f7', '#c084fc'];

/**
 * The six big losses (they add up to planned busy time), and beside them the time not
 * monitored: before a machine's first data, outside planned time (docs/production-model.md).
 */
export function LossesChart({
  losses,
  notMonitoredMs,
}: {
  losses: SixBigLosses | null;
  notMonitoredMs: number;
}) {
  const { t, lang } = useT();
  const option = useMemo((): ChartOption => {
    const keys = [...LOSS_KEYS].reverse(); // first loss on top
    return {
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => `${String(v)} ${t('pages.minutes')}`,
      },
      grid: { left: 190, right: 30, top: 10, bottom: 30 },
      xAxis: {
        type: 'value',
        name: t('pages.minutes'),
        nameTextStyle: AXIS,
        axisLabel: AXIS,
        splitLine: GRID_LINES,
      },
      yAxis: { type: 'category', data: keys.map((k) => t(`loss.${k}`)), axisLabel: AXIS },
      series: [
        {
          type: 'bar',
          data: keys.map((k) => ({
            value: losses ? minutes(losses[k]) : 0,
            itemStyle: { color: LOSS_COLORS[LOSS_KEYS.indexOf(k)] },
          })),
          barMaxWidth: 28,
        },
      ],
    };
  }, [losses, t]);
  return (
    <section className="panel">
      <h3>{t('analytics.losses')}</h3>
      {losses === null ? <p className="panel__empty">{t('analytics.lossesUnknown')}</p> : null}
      {notMonitoredMs > 0 ? (
        <p className="panel__note" data-testid={TEST_IDS.notMonitored}>
          {t('analytics.notMonitored', { time: formatDuration(notMonitoredMs, lang) })}
        </p>
      ) : null}
      <EChart
        option={option}
        testId={TEST_IDS.losses}
        data={{
          losses: JSON.stringify(
            losses ? Object.fromEntries(LOSS_KEYS.map((k) => [k, minutes(losses[k])])) : null,
          ),
        }}
      />
    </section>
  );
}

/** The andon chart's test id (data-andon holds its rows). */
export const ANDON_CHART_TEST_ID = 'andon-response-times';

const ANDON_SERIES = [
  ['analytics.andonAckP50', 'ackP50Min', '#60a5fa'],
  ['analytics.andonAckP90', 'ackP90Min', '#1d4ed8'],
  ['analytics.andonClearP50', 'clearP50Min', '#4ade80'],
  ['analytics.andonClearP90', 'clearP90Min', '#15803d'],
] as const;

/**
 * Andon response times per call type (`/api/andon/response-times`): median and 90 % of the
 * time to acknowledge and to clear, in minutes. `refused`: the reader may not see them.
 */
export function AndonTimesChart({ rows, refused }: { rows: AndonTimeRow[]; refused: boolean }) {
  const { t } = useT();
  const option = useMemo(
    (): ChartOption => ({
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (v == null ? '—' : `${String(v)} ${t('pages.minutes')}`),
      },
      // Four legend entries wrap to two lines on a third of a screen: room for them.
      legend: { top: 0, textStyle: AXIS },
      grid: { left: 60, right: 20, top: 72, bottom: 50 },
      xAxis: {
        type: 'category',
        data: rows.map((r) => `${r.label}\n${t('analytics.andonCalls', { count: r.count })}`),
        axisLabel: { ...AXIS, interval: 0 },
      },
      yAxis: {
        type: 'value',
        name: t('pages.minutes'),
        nameTextStyle: AXIS,
        axisLabel: AXIS,
        splitLine: GRID_LINES,
      },
      series: ANDON_SERIES.map(([key, field, color]) => ({
        type: 'bar',
        name: t(key),
        data: rows.map((r) => r[field]),
        itemStyle: { color },
        barMaxWidth: 28,
      })),
    }),
    [rows, t],
  );
  return (
    <section className="panel">
      <h3>{t('analytics.andon')}</h3>
      {refused ? (
        <p className="panel__empty">{t('analytics.andonHidden')}</p>
      ) : rows.length === 0 ? (
        <p className="panel__empty">{t('analytics.noAndon')}</p>
      ) : null}
      <EChart option={option} testId={ANDON_CHART_TEST_ID} data={{ andon: JSON.stringify(rows) }} />
    </section>
  );
}
