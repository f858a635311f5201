import { api, type QualityReport } from '@takt/protocol/api';
import { useMemo, useState } from 'react';
import { CHART_COLORS, THEME } from '../charts/colors';
import { useT } from '../i18n';
import { apiGet } from '../lib/api';
import type { PlantModel } from '../plant/plant-model';
import { TEST_IDS } from '../testids';
import { machineName } from './analytics-data';
import { EChart, type ChartOption } from './EChart';
import { useLoad } from './use-api';
import { NcSummaryPanel } from './nc/NcSummaryPanel';

const AXIS = { color: CHART_COLORS.axisLabel, fontSize: 13 };
const GRID_LINES = { lineStyle: { color: THEME.panelEdge } };
const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
const pctText = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const SERIES_COLORS = [THEME.accent, '#4ade80', '#facc15', '#c084fc', '#f87171', '#fb923c'];

/** Customers named by orders (open and completed), for the filter. */
async function customersOf(): Promise<string[]> {
  const [open, done] = await Promise.all([
    apiGet(api.orders.list, { query: { limit: 500 } }),
    apiGet(api.orders.list, { query: { status: 'completed', limit: 500 } }),
  ]);
  return [...new Set([...open, ...done].flatMap((o) => (o.customer ? [o.customer] : [])))].sort();
}

/** Reject reasons, biggest first (bars), with the running share (a line). */
function RejectParetoChart({ data }: { data: QualityReport }) {
  const { t } = useT();
  const labels = data.pareto.map((b) => b.reason || t('quality.counter'));
  const option = useMemo(
    (): ChartOption => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: AXIS },
      grid: { left: 60, right: 60, top: 40, bottom: 80 },
      xAxis: {
        type: 'category',
        data: labels,
        axisLabel: { ...AXIS, interval: 0, rotate: labels.length > 5 ? 30 : 0 },
      },
      yAxis: [
        { type: 'value', axisLabel: AXIS, splitLine: GRID_LINES },
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
          name: t('quality.pieces'),
          data: data.pareto.map((b) => b.pieces),
          itemStyle: { color: '#f87171' },
          barMaxWidth: 60,
        },
        {
          type: 'line',
          name: t('analytics.cumulative'),
          yAxisIndex: 1,
          data: data.pareto.map((b) => pct(b.cumulative)),
          itemStyle: { color: '#facc15' },
          lineStyle: { width: 3 },
        },
      ],
    }),
    [data, labels, t],
  );
  return (
    <section className="panel">
      <h3>{t('quality.pareto')}</h3>
      {data.pareto.length === 0 ? <p className="panel__empty">{t('quality.noRejects')}</p> : null}
      <EChart
        option={option}
        testId={TEST_IDS.rejectPareto}
        data={{
          reasons: JSON.stringify(data.pareto.map((b) => b.reason)),
          pieces: JSON.stringify(data.pareto.map((b) => b.pieces)),
          cumulative: JSON.stringify(data.pareto.map((b) => pct(b.cumulative))),
        }}
      />
    </section>
  );
}

/** Scrap rate per plant day, one line per product or machine (the six with most rejects). */
function ScrapTrendChart({ data, plant }: { data: QualityReport; plant: PlantModel }) {
  const { t } = useT();
  const [by, setBy] = useState<'product' | 'machine'>('product');
  const series = (by === 'product' ? data.byProduct : data.byMachine).slice(0, 6);
  const name = (group: string) =>
    group === ''
      ? t('common.none')
      : by === 'machine'
        ? machineName(plant, group)
        : (plant.products.find((p) => p.id === group)?.name ?? group);
  const option = useMemo(
    (): ChartOption => ({
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (v == null ? '—' : `${String(v)} %`),
      },
      legend: { top: 0, textStyle: AXIS },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: data.days.map((d) => d.slice(5)), axisLabel: AXIS },
      yAxis: {
        type: 'value',
        min: 0,
        axisLabel: { ...AXIS, formatter: '{value} %' },
        splitLine: GRID_LINES,
      },
      series: series.map((s, i) => ({
        type: 'line',
        name: name(s.group),
        data: s.rates.map(pct),
        connectNulls: false,
        symbolSize: 8,
        lineStyle: { width: 2, color: SERIES_COLORS[i] },
        itemStyle: { color: SERIES_COLORS[i] },
      })),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `name` follows `by`, `plant` and `t`.
    [data, series, by, plant, t],
  );
  return (
    <section className="panel">
      <div className="panel__head">
        <h3>{t('quality.trend')}</h3>
        <select
          data-testid={TEST_IDS.scrapTrendBy}
          value={by}
          onChange={(e) => setBy(e.target.value as 'product' | 'machine')}
        >
          <option value="product">{t('quality.byProduct')}</option>
          <option value="machine">{t('quality.byMachine')}</option>
        </select>
      </div>
      {series.length === 0 ? <p className="panel__empty">{t('quality.noPieces')}</p> : null}
      <EChart
        option={option}
        testId={TEST_IDS.scrapTrend}
        data={{ groups: JSON.stringify(series.map((s) => s.group)) }}
      />
    </section>
  );
}

/** On-time rate, lead time and scrap of the orders completed in the window, per group. */
function DeliveryTable({ data, plant }: { data: QualityReport; plant: PlantModel }) {
  const { t } = useT();
  const [by, setBy] = useState<'customer' | 'product'>('customer');
  const rows = by === 'customer' ? data.delivery.byCustomer : data.delivery.byProduct;
  return (
    <section className="panel" data-testid={TEST_IDS.deliveryTable}>
      <div className="panel__head">
        <h3>{t('quality.delivery')}</h3>
        <select value={by} onChange={(e) => setBy(e.target.value as 'customer' | 'product')}>
          <option value="customer">{t('quality.byCustomer')}</option>
          <option value="product">{t('quality.byProduct')}</option>
        </select>
      </div>
      {rows.length === 0 ? (
        <p className="panel__empty">{t('quality.noCompleted')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t(by === 'customer' ? 'orders.customer' : 'orders.product')}</th>
              <th>{t('quality.completed')}</th>
              <th>{t('kpi.onTimeRate')}</th>
              <th>{t('kpi.leadTimeMeanMs')}</th>
              <th>{t('kpi.scrapRate')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.group} data-group={r.group}>
                <td>
                  {r.group === ''
                    ? t('common.none')
                    : by === 'product'
                      ? (plant.products.find((p) => p.id === r.group)?.name ?? r.group)
                      : r.group}
                </td>
                <td>{r.completed}</td>
                <td>{pctText(r.onTimeRate)}</td>
                <td>
                  {r.leadTimeMeanMs === null
                    ? '—'
                    : `${(r.leadTimeMeanMs / 3_600_000).toFixed(1)} h`}
                </td>
                <td>{pctText(r.scrapRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * Quality on `/analytics` (issue 19): filters by customer and product, the reject-reason
 * Pareto, scrap rate per day by product or machine, and delivery by customer or product
 * (GET /api/quality, docs/decisions.md "Issue 19 — KPI board and quality on analytics").
 */
export function QualityPanels({
  plant,
  fromMs,
  toMs,
}: {
  plant: PlantModel;
  fromMs: number;
  toMs: number;
}) {
  const { t } = useT();
  const [customer, setCustomer] = useState('');
  const [product, setProduct] = useState('');
  const customers = useLoad('customers', customersOf);
  // The quality route takes at most 92 days: a longer window is cut to its last 92.
  const from = Math.max(fromMs, toMs - 92 * 86_400_000);
  const key = `${from}|${toMs}|${customer}|${product}`;
  const loaded = useLoad(key, () =>
    apiGet(api.kpis.quality, {
      query: {
        from: new Date(from).toISOString(),
        to: new Date(toMs).toISOString(),
        ...(customer ? { customer } : {}),
        ...(product ? { product } : {}),
      },
    }),
  );
  const data = loaded.data;
  return (
    <div className="quality" data-testid={TEST_IDS.quality} data-loaded={String(data !== null)}>
      <div className="pickers">
        <h3 className="quality__title">{t('quality.title')}</h3>
        <label>
          {t('orders.customer')}{' '}
          <select
            data-testid={TEST_IDS.qualityCustomer}
            value={customer}
            onChange={(e) => setCustomer(e.target.value)}
          >
            <option value="">{t('quality.all')}</option>
            {(customers.data ?? []).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('orders.product')}{' '}
          <select
            data-testid={TEST_IDS.qualityProduct}
            value={product}
            onChange={(e) => setProduct(e.target.value)}
          >
            <option value="">{t('quality.all')}</option>
            {plant.products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        {loaded.error ? <span>{t('pages.error', { reason: loaded.error.message })}</span> : null}
      </div>
      {data ? (
        <div className="panels">
          <RejectParetoChart data={data} />
          <ScrapTrendChart data={data} plant={plant} />
          <DeliveryTable data={data} plant={plant} />
          <NcSummaryPanel fromMs={fromMs} toMs={toMs} />
        </div>
      ) : null}
    </div>
  );
}
