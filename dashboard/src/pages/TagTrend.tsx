import { useEffect, useMemo, useState } from 'react';
import { useT } from '../i18n';
import { historyUrl, tagSeries, zoomWindow, type HistoryAnswer } from '../lib/history-series';
import { axisTimeLabel } from '../lib/axis-time';
import type { RuleLimit } from '../lib/rule-limits';
import { useLive } from '../live/LiveContext';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';
import { EChart, type ChartOption } from './EChart';
import { getJson, useLoad } from './use-api';
import { CHART_COLORS, THEME } from '../charts/colors';

interface TagTrendProps {
  machines: { id: string; name: string }[];
  machine: string;
  onMachine: (id: string) => void;
  /** The tags to offer first (e.g. those an alert rule watches). */
  preferredTags?: (machine: string) => string[];
  /** Lines to draw across the chart (alert rule limits). */
  limitsFor?: (machine: string, tag: string) => RuleLimit[];
  fromMs: number;
  toMs: number;
  title: string;
  testId?: string;
}

const LIMIT_COLORS: Record<string, string> = {
  critical: THEME.bad,
  warning: THEME.warn,
  info: '#60a5fa',
};
const CHART_WIDTH_PX = 1600;

/**
 * A machine's tag from the historian, with zoom: dragging or scrolling narrows the window and
 * the narrower window is read again (buckets get finer, then raw samples).
 */
export function TagTrend(props: TagTrendProps) {
  const { machines, machine, onMachine, preferredTags, limitsFor, fromMs, toMs, title } = props;
  const { t } = useT();
  const { timeZone } = usePlant();
  const live = useLive();
  const snapshot = live.machines.get(machine);
  const numericTags = useMemo(
    () =>
      Object.entries(snapshot?.values ?? {})
        .filter(([, v]) => typeof v.value === 'number')
        .map(([tag]) => tag)
        .sort(),
    [snapshot],
  );
  const tags = useMemo(() => {
    const first = (preferredTags?.(machine) ?? []).filter((x) => numericTags.includes(x));
    return [...first, ...numericTags.filter((x) => !first.includes(x))];
  }, [numericTags, preferredTags, machine]);
  const [tagChoice, setTag] = useState<string | null>(null);
  const tag = tagChoice !== null && tags.includes(tagChoice) ? tagChoice : (tags[0] ?? null);
  const [view, setView] = useState({ fromMs, toMs });
  useEffect(() => setView({ fromMs, toMs }), [fromMs, toMs, machine, tag]);

  const url = tag ? historyUrl(machine, [tag], view.fromMs, view.toMs, CHART_WIDTH_PX) : null;
  const history = useLoad(url, () => getJson<HistoryAnswer>(url!));
  const series = history.data && tag ? tagSeries(history.data, tag) : null;
  const limits = useMemo(
    () => (tag && limitsFor ? limitsFor(machine, tag) : []),
    [limitsFor, machine, tag],
  );
  const unit = tag ? (snapshot?.values[tag]?.unit ?? '') : '';

  const option = useMemo((): ChartOption => {
    const values = limits.map((l) => l.value);
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 190, top: 20, bottom: 70 },
      xAxis: {
        type: 'time',
        min: view.fromMs,
        max: view.toMs,
        axisLabel: {
          color: CHART_COLORS.axisLabel,
          formatter: (v: number) => axisTimeLabel(v, view.toMs - view.fromMs, timeZone),
        },
      },
      yAxis: {
        type: 'value',
        name: unit,
        axisLabel: { color: CHART_COLORS.axisLabel },
        splitLine: { lineStyle: { color: THEME.panelEdge } },
        // The rule limits stay in view even when the values are far from them.
        min: (v: { min: number }) => niceBelow(Math.min(v.min, ...values)),
        max: (v: { max: number }) => niceAbove(Math.max(v.max, ...values)),
      },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
        { type: 'slider', xAxisIndex: 0, filterMode: 'none', height: 24, bottom: 10 },
      ],
      series: [
        ...(series && series.band.length > 0
          ? [
              {
                type: 'line',
                name: 'min',
                data: series.band.map((b) => [b[0], b[1]]),
                showSymbol: false,
                lineStyle: { width: 1, color: THEME.slate },
                silent: true,
              },
              {
                type: 'line',
                name: 'max',
                data: series.band.map((b) => [b[0], b[2]]),
                showSymbol: false,
                lineStyle: { width: 1, color: THEME.slate },
                silent: true,
              },
            ]
          : []),
        {
          type: 'line',
          name: tag ?? '',
          data: series?.line ?? [],
          // A few points (a fresh machine, a wide bucket) would draw nothing as a bare line.
          showSymbol: (series?.line.length ?? 0) <= 60,
          lineStyle: { width: 2, color: THEME.accent },
          markLine: {
            symbol: 'none',
            silent: true,
            data: limits.map((l) => ({
              yAxis: l.value,
              name: t(l.side === 'above' ? 'maint.limitAbove' : 'maint.limitBelow', {
                rule: l.label,
                value: l.value,
              }),
              lineStyle: {
                color: LIMIT_COLORS[l.severity] ?? THEME.warn,
                width: 2,
                type: 'dashed',
              },
              label: { formatter: '{b}', position: 'end', color: THEME.text },
            })),
          },
        },
      ],
    };
  }, [series, limits, view, timeZone, unit, tag, t]);

  return (
    <section className="panel panel--wide">
      <div className="panel__head">
        <h3>{title}</h3>
        <label>
          {t('analytics.machine')}{' '}
          <select
            value={machine}
            onChange={(e) => onMachine(e.target.value)}
            data-testid={TEST_IDS.trendMachine}
          >
            {machines.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('analytics.tag')}{' '}
          <select
            value={tag ?? ''}
            onChange={(e) => setTag(e.target.value)}
            data-testid={TEST_IDS.trendTag}
          >
            {tags.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setView({ fromMs, toMs })}>
          {t('analytics.resetZoom')}
        </button>
        <span className="panel__note">
          {series
            ? t('analytics.resolution', {
                bucket: series.bucket === 'raw' ? t('analytics.raw') : series.bucket,
              })
            : null}
          {history.error ? ` ${t('pages.error', { reason: history.error.message })}` : ''}
        </span>
      </div>
      {tags.length === 0 ? <p className="panel__empty">{t('analytics.noTags')}</p> : null}
      <EChart
        option={option}
        className="chart--tall"
        testId={props.testId ?? TEST_IDS.tagTrend}
        onZoom={(start, end) => {
          if (start <= 0 && end >= 100) return;
          setView((v) => zoomWindow(v.fromMs, v.toMs, start, end));
        }}
        data={{
          machine,
          tag: tag ?? '',
          bucket: series?.bucket ?? '',
          points: String(series?.line.length ?? 0),
          from: new Date(view.fromMs).toISOString(),
          to: new Date(view.toMs).toISOString(),
          limits: JSON.stringify(limits.map((l) => [l.side, l.value])),
        }}
      />
      <p className="panel__note">{t('analytics.zoomHint')}</p>
    </section>
  );
}

function niceBelow(v: number) {
  return Number.isFinite(v) ? Math.floor(v - Math.abs(v) * 0.05) : 0;
}
function niceAbove(v: number) {
  return Number.isFinite(v) ? Math.ceil(v + Math.abs(v) * 0.05) : 1;
}
