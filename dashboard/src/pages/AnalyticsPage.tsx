import { useMemo, useState } from 'react';
import { WindowPicker } from '../components/WindowPicker';
import { useT } from '../i18n';
import { analyticsWindow, WINDOW_KINDS, type WindowKind } from '../lib/analytics-window';
import { mergeDowntime, paretoRows, trendPoints } from '../lib/oee-report';
import { plantDateTime } from '../lib/plant-time';
import type { PlantModel } from '../plant/plant-model';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';
import {
  andonTimeRows,
  loadAnalytics,
  loadAndonTimes,
  machineName,
  parseScope,
  reasonName,
  scopeMachines,
  scopeValue,
  type ScopeChoice,
} from './analytics-data';
import { AndonTimesChart, LossesChart, OeeTrendChart, ParetoChart } from './analytics-charts';
import { labelOf } from './labels';
import { OrdersList } from './OrdersList';
import { QualityPanels } from './QualityPanels';
import { ShiftReport } from './ShiftReport';
import { TagTrend } from './TagTrend';
import { ApiError, useLoad } from './use-api';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);

/**
 * `/analytics`: for a scope (plant, line, machine) and a window (today, this shift, last 7
 * or 30 days): OEE with A / P / Q and its trend, the downtime Pareto, the six big losses,
 * andon response times, the shift report with CSV export, and a tag trend from the
 * historian with zoom.
 */
export function AnalyticsPage() {
  const { t } = useT();
  const { plant, error } = usePlant();
  return (
    <main className="page" data-testid={TEST_IDS.analytics}>
      <h2>{t('page.analytics')}</h2>
      {plant ? (
        <Analytics plant={plant} />
      ) : (
        <p>{error ? t('pages.error', { reason: error }) : t('pages.loading')}</p>
      )}
    </main>
  );
}

function Analytics({ plant }: { plant: PlantModel }) {
  const { t, lang } = useT();
  const timeZone = plant.site.timeZone;
  const [scope, setScope] = useState<ScopeChoice>({ kind: 'plant' });
  const [kind, setKind] = useState<WindowKind>('today');
  // The window is fixed when chosen (a page left open does not re-read every second).
  const [stamp, setStamp] = useState(() => Date.now());
  const win = useMemo(
    () => analyticsWindow(kind, stamp, timeZone, plant.shifts),
    [kind, stamp, timeZone, plant.shifts],
  );
  const key = `${scopeValue(scope)}|${win.fromMs}|${win.toMs}`;
  const loaded = useLoad(key, () => loadAnalytics(plant, scope, win));
  const data = loaded.data;
  // Apart: only responders may read it, and its refusal must not blank the page.
  const andon = useLoad(key, () => loadAndonTimes(scope, win));
  const andonRows = useMemo(
    () => (andon.data ? andonTimeRows(andon.data, lang) : []),
    [andon.data, lang],
  );

  // Added up by ingest (`/api/oee/shift-report`), the same figures as `/api/oee`.
  const total = data?.report.total ?? null;
  const points = useMemo(
    () => (data ? trendPoints(data.report, win.bucket) : []),
    [data, win.bucket],
  );
  const pareto = useMemo(
    () =>
      data
        ? paretoRows(mergeDowntime(data.downtime), (e) =>
            e.reason === 'unassigned'
              ? t('analytics.unassigned', { state: labelOf(t, 'state', e.state) })
              : (reasonName(plant, e.reason) ?? labelOf(t, 'state', 'unknown')),
          )
        : [],
    [data, plant, t],
  );
  const losses = total?.losses ?? null;
  const notMonitoredMs = total?.notMonitoredMs ?? 0;
  const machines = scopeMachines(plant, scope);
  const [trendMachine, setTrendMachine] = useState<string | null>(null);
  const allMachines = plant.lines.flatMap((l) =>
    l.machines.map((m) => ({ id: m.id, name: m.name })),
  );
  const shownMachine =
    trendMachine && machines.includes(trendMachine) ? trendMachine : (machines[0] ?? '');

  return (
    <>
      <div className="pickers">
        <label>
          {t('analytics.scope')}{' '}
          <select
            data-testid={TEST_IDS.scopePicker}
            value={scopeValue(scope)}
            onChange={(e) => setScope(parseScope(e.target.value))}
          >
            <option value="plant">{t('analytics.plant')}</option>
            <optgroup label={t('analytics.lines')}>
              {plant.lines.map((l) => (
                <option key={l.id} value={`line:${l.id}`}>
                  {l.name}
                </option>
              ))}
            </optgroup>
            <optgroup label={t('analytics.machines')}>
              {allMachines.map((m) => (
                <option key={m.id} value={`machine:${m.id}`}>
                  {m.name}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <WindowPicker
          className="pickers__windows"
          label={t('analytics.window')}
          choices={WINDOW_KINDS.map((k) => ({ key: k, label: t(`analytics.window.${k}`) }))}
          chosen={kind}
          onPick={(k) => {
            setKind(k);
            setStamp(Date.now());
          }}
        />
        <span className="pickers__range" data-testid={TEST_IDS.analyticsRange}>
          {win.shiftName ? `${win.shiftName} · ` : ''}
          {t('pages.range', {
            from: plantDateTime(win.fromMs, timeZone),
            to: plantDateTime(win.toMs, timeZone),
          })}
        </span>
        <span
          className="pickers__status"
          data-testid={TEST_IDS.analyticsStatus}
          data-loading={String(loaded.loading)}
        >
          {loaded.loading
            ? t('pages.loading')
            : loaded.error
              ? t('pages.error', { reason: loaded.error.message })
              : ''}
        </span>
      </div>

      <div className="figures" data-testid={TEST_IDS.oeeFigures} data-oee={total?.oee ?? ''}>
        {(
          [
            ['oee.oee', total?.oee ?? null],
            ['oee.availability', total?.availability ?? null],
            ['oee.performance', total?.performance ?? null],
            ['oee.quality', total?.quality ?? null],
          ] as const
        ).map(([label, value]) => (
          <div key={label} className="figure">
            <div className="figure__label">{t(label)}</div>
            <div className="figure__value">{pct(value)}</div>
          </div>
        ))}
      </div>

      <div className="panels">
        <OeeTrendChart points={points} bucket={win.bucket} />
        <ParetoChart rows={pareto} />
        <LossesChart losses={losses} notMonitoredMs={notMonitoredMs} />
        <AndonTimesChart
          rows={andonRows}
          refused={andon.error instanceof ApiError && andon.error.status === 403}
        />
        <ShiftReport
          rows={data?.report.rows ?? []}
          machines={machines}
          timeZone={timeZone}
          fileStem={`shift-report_${scopeValue(scope).replace(':', '-')}_${kind}`}
        />
        {shownMachine ? (
          <TagTrend
            title={t('analytics.tagTrend')}
            machines={machines.map((id) => ({ id, name: machineName(plant, id) }))}
            machine={shownMachine}
            onMachine={setTrendMachine}
            fromMs={win.fromMs}
            toMs={win.toMs}
          />
        ) : null}
        <OrdersList />
      </div>
      <QualityPanels plant={plant} fromMs={win.fromMs} toMs={win.toMs} />
    </>
  );
}
