import { api, type KpiName, type KpiWeekly } from '@takt/protocol/api';
import { useMemo } from 'react';
import { THEME } from '../charts/colors';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import { BoardChart } from './BoardChart';
import { arrowOf, KPI_PANELS, kpiPlotted, kpiText } from './kpi-figures';
import { usePollRoute } from './use-poll';
import './kpis.css';

/** Weekly figures move by the hour: a poll every five minutes is plenty. */
export const KPIS_POLL_MS = 300_000;
/** This week and the eight before it. */
export const KPI_WEEKS = 9;

/** One KPI's eight earlier weeks (slate) and this week (accent), with their mean dashed. */
function KpiChart({ name, data }: { name: KpiName; data: KpiWeekly }) {
  const option = useMemo(() => {
    const values = data.weeks.map((w) => kpiPlotted(name, w[name]));
    const mean = kpiPlotted(name, data.trends[name].mean);
    return {
      animation: false,
      grid: { left: 8, right: 8, top: 12, bottom: 34 },
      xAxis: {
        type: 'category',
        data: data.weeks.map((w) => w.start.slice(5)),
        axisLabel: { color: THEME.muted, fontSize: 16, interval: 1 },
        axisLine: { lineStyle: { color: THEME.rule } },
        axisTick: { show: false },
      },
      yAxis: { type: 'value', show: false, min: 0 },
      series: [
        {
          type: 'bar',
          barMaxWidth: 44,
          data: values.map((v, i) => ({
            value: v,
            itemStyle: { color: i === values.length - 1 ? THEME.accent : THEME.slate },
          })),
          markLine:
            mean === null
              ? undefined
              : {
                  silent: true,
                  symbol: 'none',
                  label: { show: false },
                  lineStyle: { color: THEME.text, type: 'dashed', width: 2 },
                  data: [{ yAxis: mean }],
                },
        },
      ],
    };
  }, [name, data]);
  return <BoardChart option={option} className="kpi__chart" />;
}

function KpiPanel({ name, data }: { name: KpiName; data: KpiWeekly }) {
  const { t, lang } = useT();
  const trend = data.trends[name];
  const arrow = arrowOf(trend.delta, trend.better);
  const tone = trend.better === null ? 'level' : trend.better ? 'better' : 'worse';
  return (
    <section
      className="kpi"
      data-testid={TEST_IDS.kpiPanel}
      data-kpi={name}
      data-current={trend.current ?? ''}
      data-better={String(trend.better)}
    >
      <h3 className="kpi__title">{t(`kpi.${name}`)}</h3>
      <div className="kpi__figure">
        <span className="kpi__value" data-testid={TEST_IDS.kpiValue}>
          {kpiText(name, trend.current, lang)}
        </span>
        <span className={`kpi__arrow kpi__arrow--${tone}`} data-testid={TEST_IDS.kpiArrow}>
          {arrow}
        </span>
      </div>
      <p className="kpi__mean" data-testid={TEST_IDS.kpiMean}>
        {t('kpi.mean', { weeks: data.weeks.length - 1, value: kpiText(name, trend.mean, lang) })}
      </p>
      <KpiChart name={name} data={data} />
    </section>
  );
}

/**
 * The numbers managers report each week (issue 19): on-time delivery, lead time and its
 * spread, scrap, output per operator-hour and OEE — this plant week (Monday start, plant
 * time) against the eight before it, large enough to read from across the hall.
 */
export function KpisBoard() {
  const { t } = useT();
  const kpis = usePollRoute(api.kpis.weekly, { query: { weeks: KPI_WEEKS } }, KPIS_POLL_MS);
  const data = kpis.data;
  return (
    <main
      className="kpis-board"
      data-testid={TEST_IDS.kpisBoard}
      data-loaded={String(data !== null)}
    >
      <h2 className="kpis-board__title">
        {data ? t('kpi.title', { start: data.weeks.at(-1)!.start.slice(5) }) : t('kpi.loading')}
      </h2>
      {data ? (
        <div className="kpis-board__grid">
          {KPI_PANELS.map((name) => (
            <KpiPanel key={name} name={name} data={data} />
          ))}
        </div>
      ) : null}
    </main>
  );
}
