import { useMemo } from 'react';
import { api, type MonthlyReport } from '@takt/protocol/api';
import { useT } from '../../i18n';
import { apiGet, apiPath } from '../../lib/api';
import { formatDuration } from '../../lib/format';
import { plantDateTime } from '../../lib/plant-time';
import { usePlant } from '../../plant/PlantContext';
import { EChart, type ChartOption } from '../EChart';
import { useLoad } from '../use-api';
import {
  changeText,
  figureText,
  hours,
  MONTHLY_FIGURES,
  plantMonth,
  type MonthlyFigure,
} from './monthly-figures';
import './monthly.css';

const FIGURE_KEYS = {
  oee: 'monthly.kpi.oee',
  availability: 'monthly.kpi.availability',
  performance: 'monthly.kpi.performance',
  quality: 'monthly.kpi.quality',
  goodCount: 'monthly.kpi.good',
} as const satisfies Record<MonthlyFigure, string>;

/** Bars of this month against last month, in hours, largest this month on top. */
function versusChart(
  rows: { label: string; thisMs: number; lastMs: number }[],
  names: [string, string],
): ChartOption {
  const shown = [...rows].reverse();
  return {
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0, data: names },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', name: 'h' },
    yAxis: { type: 'category', data: shown.map((r) => r.label) },
    series: [
      {
        name: names[1],
        type: 'bar',
        data: shown.map((r) => Number(hours(r.lastMs))),
        itemStyle: { color: '#6b7280' },
      },
      {
        name: names[0],
        type: 'bar',
        data: shown.map((r) => Number(hours(r.thisMs))),
        itemStyle: { color: '#f59e0b' },
      },
    ],
  };
}

/**
 * The monthly improvement page (`/reports/monthly?month=YYYY-MM`, managers and admins): the
 * month's figures against last month, the six big losses and the delay causes (stop reasons)
 * as charts and tables, the late orders and their likely cause, what to look at first, and
 * the PDF of the same report (`GET /api/reports/monthly` and `/monthly.pdf`).
 */
export function MonthlyPage({ month: asked }: { month: string | null }) {
  const { t, lang } = useT();
  const { plant } = usePlant();
  const timeZone = plant?.site.timeZone ?? 'UTC';
  const month = asked ?? plantMonth(Date.now(), timeZone);
  const report = useLoad<MonthlyReport>(`${month}:${lang}`, () =>
    apiGet(api.reports.monthly, { query: { month, lang } }),
  );
  const data = report.data;
  const names: [string, string] = data
    ? [t('monthly.this', { month: data.month }), t('monthly.last', { month: data.previousMonth })]
    : ['', ''];
  const losses = useMemo(() => (data ? versusChart(data.losses, names) : null), [data]); // eslint-disable-line react-hooks/exhaustive-deps -- names follow data
  const stops = useMemo(() => (data ? versusChart(data.stops, names) : null), [data]); // eslint-disable-line react-hooks/exhaustive-deps -- names follow data
  const pdf = apiPath(api.reports.monthlyPdf, { query: { month, lang } });

  return (
    <section className="panel panel--wide monthly" data-testid="monthly-page">
      <div className="panel__head">
        <h3 data-testid="monthly-title">{data?.title ?? t('monthly.title')}</h3>
        <label>
          {t('monthly.month')}{' '}
          <input
            type="month"
            value={month}
            data-testid="monthly-month"
            onChange={(e) => {
              if (/^\d{4}-\d{2}$/.test(e.target.value))
                window.location.assign(`/reports/monthly?month=${e.target.value}`);
            }}
          />
        </label>
        <a href={pdf} data-testid="monthly-pdf" target="_blank" rel="noreferrer">
          {t('monthly.pdf')}
        </a>
      </div>
      {report.error ? (
        <p className="panel__note" data-testid="monthly-error">
          {t('monthly.failed', { reason: report.error.message })}
        </p>
      ) : null}
      {!data ? (
        report.loading ? (
          <p className="page-loading">{t('common.loading')}</p>
        ) : null
      ) : (
        <div data-testid="monthly-report" data-month={data.month}>
          <table className="table monthly__figures">
            <thead>
              <tr>
                <th>{t('monthly.figure')}</th>
                <th>{names[0]}</th>
                <th>{names[1]}</th>
                <th>{t('monthly.change')}</th>
              </tr>
            </thead>
            <tbody>
              {MONTHLY_FIGURES.map((f) => (
                <tr key={f} data-testid={`monthly-figure-${f}`}>
                  <th>{t(FIGURE_KEYS[f])}</th>
                  <td data-this>{figureText(f, data[f].this)}</td>
                  <td data-last>{figureText(f, data[f].last)}</td>
                  <td>{changeText(f, data[f])}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <div className="monthly__charts">
            <div>
              <h4>{t('monthly.losses')}</h4>
              {losses ? (
                <EChart option={losses} testId="monthly-losses-chart" className="chart" />
              ) : null}
              <table className="table">
                <tbody>
                  {data.losses.map((l) => (
                    <tr key={l.loss} data-testid="monthly-loss" data-loss={l.loss}>
                      <th>{l.label}</th>
                      <td data-this>{hours(l.thisMs)} h</td>
                      <td data-last>{hours(l.lastMs)} h</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div>
              <h4>{t('monthly.stops')}</h4>
              {data.stops.length === 0 ? (
                <p className="panel__note">{t('monthly.noStops')}</p>
              ) : (
                <>
                  {stops ? (
                    <EChart option={stops} testId="monthly-stops-chart" className="chart" />
                  ) : null}
                  <table className="table">
                    <thead>
                      <tr>
                        <th>{t('monthly.reason')}</th>
                        <th>{names[0]}</th>
                        <th>{names[1]}</th>
                        <th>{t('monthly.stopCount')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.stops.map((s) => (
                        <tr key={s.reason} data-testid="monthly-stop" data-reason={s.reason}>
                          <th>{s.label}</th>
                          <td data-this>{hours(s.thisMs)} h</td>
                          <td data-last>{hours(s.lastMs)} h</td>
                          <td>{s.stops}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </div>
          </div>

          <h4>{t('monthly.late')}</h4>
          {data.late.length === 0 ? (
            <p className="panel__note">{t('monthly.lateNone')}</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>{t('monthly.order')}</th>
                  <th>{t('monthly.product')}</th>
                  <th>{t('monthly.customer')}</th>
                  <th>{t('monthly.due')}</th>
                  <th>{t('monthly.completed')}</th>
                  <th>{t('monthly.lateBy')}</th>
                  <th>{t('monthly.cause')}</th>
                </tr>
              </thead>
              <tbody>
                {data.late.map((o) => (
                  <tr key={o.id} data-testid="monthly-late" data-order={o.id}>
                    <th>
                      <a href={`/work-orders/${encodeURIComponent(o.id)}`}>{o.id}</a>
                    </th>
                    <td>{o.product}</td>
                    <td>{o.customer ?? '—'}</td>
                    <td>{plantDateTime(Date.parse(o.dueAt), timeZone)}</td>
                    <td>
                      {o.completedAt
                        ? plantDateTime(Date.parse(o.completedAt), timeZone)
                        : t('monthly.notDone')}
                    </td>
                    <td data-late-ms={o.lateMs}>{formatDuration(o.lateMs, lang)}</td>
                    <td data-cause={o.cause?.reason ?? ''}>
                      {o.cause
                        ? `${o.cause.label} (${formatDuration(o.cause.durationMs, lang)})`
                        : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          {data.suggestions.length > 0 ? (
            <>
              <h4>{t('monthly.suggestions')}</h4>
              <ul data-testid="monthly-suggestions">
                {data.suggestions.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      )}
    </section>
  );
}
