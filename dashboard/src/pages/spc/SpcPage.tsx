import { api, type SpcChart } from '@takt/protocol/api';
import { useEffect, useMemo, useState } from 'react';
import { WindowPicker } from '../../components/WindowPicker';
import { useT, type MessageKey } from '../../i18n';
import { apiGet, getJson } from '../../lib/api';
import { plantDateTime } from '../../lib/plant-time';
import { usePlant } from '../../plant/PlantContext';
import { EChart } from '../EChart';
import { useLoad } from '../use-api';
import { CapabilityPanel } from './CapabilityPanel';
import { FreezeBaseline } from './FreezeBaseline';
import { controlChartOption, histogramOption, rangeChartOption, type Labels } from './spc-options';
import { specText } from './spc-format';
import './spc.css';

const DAY = 86_400_000;
/** The window ends now: it moves on this often, so a gauge's new subgroups appear. */
const REFRESH_MS = 60_000;
const WINDOWS: readonly [MessageKey, number][] = [
  ['spc.window.24h', DAY],
  ['spc.window.7d', 7 * DAY],
  ['spc.window.30d', 30 * DAY],
];

interface Me {
  kind: string;
  role?: string;
}

/** `/spc/<id>`: one characteristic's control chart, limits, violations, capability and histogram. */
export function SpcPage({ id }: { id: string }) {
  const { t, lang } = useT();
  const { timeZone } = usePlant();
  const [spanMs, setSpanMs] = useState(30 * DAY);
  const [toMs, setToMs] = useState(() => Date.now());
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const timer = window.setInterval(() => setToMs(Date.now()), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);
  const from = new Date(toMs - spanMs).toISOString();
  const to = new Date(toMs).toISOString();
  const chart = useLoad<SpcChart>(`spc:${id}:${from}:${to}:${lang}:${version}`, () =>
    apiGet(api.spc.chart, { params: { characteristic: id }, query: { from, to, lang } }),
  );
  const me = useLoad<Me>('me', () => getJson<Me>('/api/auth/me'));
  const manages = me.data?.role === 'admin' || me.data?.role === 'manager';
  const c = chart.data;

  return (
    <main
      className="page page--spc"
      data-testid="spc-page"
      data-id={id}
      data-loaded={String(c !== null && !chart.loading)}
    >
      <p>
        <a href="/spc">← {t('spc.back')}</a>
      </p>
      <h2>{c ? `${c.name} · ${t(`spc.kind.${c.chart}`)}` : id}</h2>
      {c ? (
        <p className="panel__note">
          {t('spc.spec')}: {specText(c)}
          {c.product ? ` · ${t('spc.product')} ${c.product}` : ''}
          {c.operation ? ` · ${t('spc.operation')} ${c.operation}` : ''}
          {c.machine ? ` · ${t('spc.machine')} ${c.machine}` : ''}
        </p>
      ) : null}
      <div className="pickers">
        <WindowPicker
          label={t('spc.window')}
          choices={WINDOWS.map(([label, ms]) => ({ key: ms, label: t(label) }))}
          chosen={spanMs}
          onPick={(ms) => {
            setSpanMs(ms);
            setToMs(Date.now());
          }}
        />
      </div>
      {chart.error ? (
        <p className="panel__note">{t('pages.error', { reason: chart.error.message })}</p>
      ) : null}
      {c ? (
        <SpcBody
          chart={c}
          timeZone={timeZone}
          manages={manages}
          window={{ from, to }}
          onFrozen={() => setVersion((v) => v + 1)}
        />
      ) : null}
    </main>
  );
}

function SpcBody({
  chart,
  timeZone,
  manages,
  window,
  onFrozen,
}: {
  chart: SpcChart;
  timeZone: string;
  manages: boolean;
  window: { from: string; to: string };
  onFrozen: () => void;
}) {
  const { t } = useT();
  const variable = chart.chart === 'xbar-r' || chart.chart === 'xbar-s' || chart.chart === 'i-mr';
  const labels = useMemo<Labels>(
    () => ({
      value:
        chart.chart === 'i-mr'
          ? t('spc.individual')
          : variable
            ? t('spc.mean')
            : t(`spc.kind.${chart.chart}`),
      range: variable ? t(`spc.range.${chart.chart as 'xbar-r' | 'xbar-s' | 'i-mr'}`) : '',
      center: t('spc.center'),
      ucl: t('spc.ucl'),
      lcl: t('spc.lcl'),
      lsl: t('spc.lsl'),
      usl: t('spc.usl'),
      nominal: t('spc.nominal'),
      count: t('spc.count'),
    }),
    [t, chart.chart, variable],
  );
  const axis = useMemo(
    () => chart.points.map((p) => plantDateTime(Date.parse(p.at), timeZone)),
    [chart.points, timeZone],
  );
  const control = useMemo(() => controlChartOption(chart, axis, labels), [chart, axis, labels]);
  const range = useMemo(() => rangeChartOption(chart, axis, labels), [chart, axis, labels]);
  const histogram = useMemo(() => histogramOption(chart, labels), [chart, labels]);
  const at = (iso: string) => plantDateTime(Date.parse(iso), timeZone);
  const b = chart.baseline;

  return (
    <>
      <section className="panel panel--wide" data-testid="spc-limits">
        <div className="panel__head">
          <h3>{t('spc.baseline')}</h3>
          <span className="panel__note">{t('spc.zones')}</span>
        </div>
        <p data-testid="spc-phase" data-phase={b ? 'II' : 'I'}>
          {b
            ? t('spc.phaseII', {
                from: at(b.from),
                to: at(b.to),
                subgroups: b.subgroups,
                by: b.frozenBy ?? '–',
                at: at(b.frozenAt),
                reason: b.reason,
              })
            : t('spc.phaseI')}
        </p>
        {chart.baselineWarning ? (
          <p className="spc-warning" data-testid="spc-baseline-warning">
            {chart.baselineWarning}
          </p>
        ) : null}
        {manages ? <FreezeBaseline id={chart.id} window={window} onFrozen={onFrozen} /> : null}
      </section>
      <section className="panel panel--wide">
        {chart.points.length === 0 ? <p className="panel__empty">{t('spc.noData')}</p> : null}
        <EChart
          option={control}
          className="chart--tall"
          testId="spc-control-chart"
          data={{
            points: String(chart.points.length),
            center: String(chart.center),
            ucl: String(chart.ucl),
            lcl: String(chart.lcl),
            violations: chart.violations.map((v) => `${v.rule}@${v.index}`).join(' '),
          }}
        />
        {variable ? (
          <EChart
            option={range}
            className="chart--range"
            testId="spc-range-chart"
            data={{ center: String(chart.rangeCenter), ucl: String(chart.rangeUcl) }}
          />
        ) : null}
      </section>
      <section className="panel panel--wide" data-testid="spc-violations">
        <h3>{t('spc.violations')}</h3>
        {chart.violations.length === 0 ? (
          <p className="panel__note">{t('spc.noViolations')}</p>
        ) : (
          <ul className="spc-violations">
            {chart.violations.map((v) => (
              <li
                key={`${v.rule}:${v.index}`}
                data-testid="spc-violation"
                data-rule={v.rule}
                data-index={v.index}
              >
                <strong>{t(`spc.rule.${v.rule}`)}</strong> · {v.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="spc-bottom">
        <CapabilityPanel chart={chart} />
        <section className="panel" data-testid="spc-histogram">
          <h3>{t('spc.histogram')}</h3>
          <EChart
            option={histogram}
            testId="spc-histogram-chart"
            data={{ bins: String(chart.histogram.bins.length) }}
          />
          {chart.histogram.normality ? (
            <p className="panel__note" data-testid="spc-normality">
              {chart.histogram.normality.note}
            </p>
          ) : null}
        </section>
      </div>
    </>
  );
}
