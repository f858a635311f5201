import type { OeeReport } from '@takt/protocol/api';
import { useMemo } from 'react';
import { formatDuration } from '../lib/format';
import type { BoardOrder } from '../lib/order-urgency';
import { percent } from '../lib/percent';
import { plantTime } from '../lib/plant-time';
import { shiftClock } from '../lib/shift-clock';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import { BoardChart } from './BoardChart';
import type { LineHour } from './line-figures';
import type { ShiftOee } from './shift-oee';
import { THEME } from '../charts/colors';

/** What the gauge shows of `/api/oee` (protocol's OeeReport). */
export type OeeFigures = Pick<
  OeeReport,
  'oee' | 'availability' | 'performance' | 'quality' | 'notMonitoredMs'
>;

/** Green at or above target, amber within 10 points below, red further down. */
function colorFor(value: number | null, target: number | undefined): string {
  if (value === null) return THEME.muted;
  const goal = target ?? 0.85;
  return value >= goal ? THEME.ok : value >= goal - 0.1 ? THEME.warn : THEME.bad;
}

/** The line's OEE this shift as a gauge, with availability, performance and quality beside it. */
export function OeePanel({ figures, target }: { figures: OeeFigures | null; target?: number }) {
  const { t, lang } = useT();
  const oee = figures?.oee ?? null;
  const notMonitoredMs = figures?.notMonitoredMs ?? 0;
  const option = useMemo(
    () => ({
      animation: false,
      series: [
        {
          type: 'gauge',
          startAngle: 210,
          endAngle: -30,
          min: 0,
          max: 100,
          radius: '95%',
          center: ['50%', '58%'],
          progress: { show: true, width: 26, itemStyle: { color: colorFor(oee, target) } },
          axisLine: { lineStyle: { width: 26, color: [[1, THEME.panelEdge]] } },
          axisTick: { show: false },
          splitLine: { show: false },
          axisLabel: { show: false },
          pointer: { show: false },
          anchor: { show: false },
          title: { show: false },
          detail: {
            valueAnimation: false,
            offsetCenter: [0, '5%'],
            fontSize: 64,
            fontWeight: 800,
            color: THEME.text,
            formatter: () => percent(oee),
          },
          data: [{ value: oee === null ? 0 : Math.min(100, oee * 100) }],
        },
      ],
    }),
    [oee, target],
  );
  const parts = [
    ['line.availability', figures?.availability ?? null],
    ['line.performance', figures?.performance ?? null],
    ['line.quality', figures?.quality ?? null],
  ] as const;
  return (
    <section className="panel panel--oee" data-testid={TEST_IDS.lineOee} data-value={oee ?? ''}>
      <h3 className="panel__title">{t('line.oee')}</h3>
      <BoardChart option={option} className="panel__gauge" />
      <div className="apq">
        {parts.map(([key, value]) => (
          <div key={key} className="apq__row" data-part={key.slice(5)} data-value={value ?? ''}>
            <span className="apq__label">{t(key)}</span>
            <span className="apq__bar">
              <span
                className="apq__fill"
                style={{
                  width: `${Math.min(100, (value ?? 0) * 100)}%`,
                  background: colorFor(value, undefined),
                }}
              />
            </span>
            <span className="apq__value">{percent(value)}</span>
          </div>
        ))}
      </div>
      {notMonitoredMs > 0 ? (
        <p className="apq__note" data-testid={TEST_IDS.notMonitored}>
          {t('line.notMonitored', { time: formatDuration(notMonitoredMs, lang) })}
        </p>
      ) : null}
    </section>
  );
}

/** Good pieces per hour (bars) against the target (a line). */
export function OutputPanel({ hours }: { hours: readonly LineHour[] }) {
  const { t } = useT();
  const { timeZone } = usePlant();
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 70, right: 20, top: 20, bottom: 44 },
      xAxis: {
        type: 'category',
        data: hours.map((h) => plantTime(h.hourStartMs, timeZone)),
        axisLabel: { color: THEME.muted, fontSize: 18 },
        axisLine: { lineStyle: { color: THEME.rule } },
      },
      yAxis: {
        type: 'value',
        axisLabel: { color: THEME.muted, fontSize: 18 },
        splitLine: { lineStyle: { color: THEME.panelEdge } },
      },
      series: [
        {
          type: 'bar',
          data: hours.map((h) => ({
            value: h.actual,
            itemStyle: {
              color: h.target !== null && h.actual < h.target * 0.9 ? THEME.warn : THEME.accent,
            },
          })),
          barMaxWidth: 60,
        },
        {
          type: 'line',
          data: hours.map((h) => (h.target === null ? null : Math.round(h.target))),
          // A dash at each hour's target (one hour alone draws no line), joined by a dashed line.
          symbol: 'rect',
          symbolSize: [36, 4],
          itemStyle: { color: THEME.text },
          lineStyle: { color: THEME.text, width: 2, type: 'dashed' },
        },
      ],
    }),
    [hours, timeZone],
  );
  const last = hours.at(-1);
  return (
    <section
      className="panel panel--output"
      data-testid={TEST_IDS.lineOutput}
      data-hours={hours.length}
      data-actual={last?.actual ?? ''}
    >
      <h3 className="panel__title">
        {t('line.output')}
        <span className="legend legend--actual">{t('line.actual')}</span>
        <span className="legend legend--target">{t('line.targetLine')}</span>
      </h3>
      <BoardChart option={option} className="panel__chart" />
    </section>
  );
}

export interface DowntimeRow {
  name: string;
  durationMs: number;
  stops: number;
}

/** The longest stops of the shift, by reason. */
export function DowntimePanel({ rows }: { rows: readonly DowntimeRow[] | null }) {
  const { t, lang } = useT();
  const longest = Math.max(1, ...(rows ?? []).map((r) => r.durationMs));
  return (
    <section className="panel panel--downtime" data-testid={TEST_IDS.lineDowntime}>
      <h3 className="panel__title">{t('line.downtime')}</h3>
      {rows && rows.length === 0 ? <p className="panel__empty">{t('line.noDowntime')}</p> : null}
      <ol className="downtime">
        {(rows ?? []).map((r) => (
          <li key={r.name} className="downtime__row">
            <span className="downtime__name">{r.name}</span>
            <span className="downtime__time">{formatDuration(r.durationMs, lang)}</span>
            <span className="downtime__bar">
              <span style={{ width: `${(100 * r.durationMs) / longest}%` }} />
            </span>
            <span className="downtime__stops">{t('line.stops', { count: r.stops })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The orders running on the line's machines, with their progress. */
export function LineOrdersPanel({ orders }: { orders: readonly BoardOrder[] }) {
  const { t } = useT();
  return (
    <section className="panel panel--orders" data-testid={TEST_IDS.lineOrders}>
      <h3 className="panel__title">{t('line.orders')}</h3>
      {orders.length === 0 ? <p className="panel__empty">{t('line.noOrders')}</p> : null}
      <ul className="line-orders">
        {orders.map((o) => (
          <li key={o.id} className="line-orders__row" data-order-id={o.id}>
            <span className="line-orders__id">{o.id}</span>
            <span className="line-orders__op">
              {o.currentOperation ? `${o.currentOperation.id} · ${o.currentOperation.machine}` : ''}
            </span>
            <span className="progress">
              <span
                className={`progress__fill${o.stalled || o.lateRisk ? ' progress__fill--risk' : ''}`}
                style={{ width: `${Math.round(o.progress * 100)}%` }}
              />
            </span>
            <span className="line-orders__count">
              {o.good} / {o.quantity}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The shift: its name, start–end in plant time, and how long it has left. */
export function ShiftClockPanel({ shift, nowMs }: { shift: ShiftOee | null; nowMs: number }) {
  const { t, lang } = useT();
  const { timeZone } = usePlant();
  const s = shift?.shift ?? null;
  if (!s)
    return (
      <div className="shift-clock" data-testid={TEST_IDS.shiftClock}>
        {shift ? t('shift.none') : t('common.loading')}
      </div>
    );
  const from = Date.parse(s.from);
  const to = Date.parse(s.to);
  const clock = shiftClock(from, to, nowMs);
  return (
    <div className="shift-clock" data-testid={TEST_IDS.shiftClock} data-shift={s.shift}>
      <span className="shift-clock__name">{s.name}</span>
      <span className="shift-clock__span">
        {plantTime(from, timeZone)}–{plantTime(to, timeZone)}
      </span>
      <span className="progress progress--shift">
        <span className="progress__fill" style={{ width: `${clock.fraction * 100}%` }} />
      </span>
      <span className="shift-clock__left">
        {clock.leftMs > 0
          ? t('shift.left', { time: formatDuration(clock.leftMs, lang) })
          : t('shift.ended')}
      </span>
    </div>
  );
}
