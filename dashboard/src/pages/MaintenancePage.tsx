import { api } from '@takt/protocol/api';
import { useCallback, useMemo, useState } from 'react';
import { MaintenanceView } from '../components/MaintenanceView';
import { WindowPicker } from '../components/WindowPicker';
import { useT } from '../i18n';
import { apiGet } from '../lib/api';
import { ruleLimits, watchedTags } from '../lib/rule-limits';
import { useLive } from '../live/LiveContext';
import type { PlantModel } from '../plant/plant-model';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';
import { TagTrend } from './TagTrend';
import { ApiError, useLoad } from './use-api';

const WINDOWS = [
  ['maint.last1h', 3_600_000],
  ['maint.last8h', 8 * 3_600_000],
  ['maint.last24h', 24 * 3_600_000],
] as const;

/**
 * The alert rules to draw: the live ones (`/api/alert-rules`, edited at run time, for
 * maintenance, managers and admins), else the plant model's (an operator may not read the
 * live list).
 */
function useRules(plant: PlantModel | null) {
  const live = useLoad('alert-rules', () => apiGet(api.alerts.rules));
  if (live.data) return { rules: live.data.rules, fromPlant: false };
  const forbidden = live.error instanceof ApiError && live.error.status === 403;
  return { rules: plant?.alerts?.rules ?? [], fromPlant: forbidden || live.error !== null };
}

/** `/maintenance`: alerts to acknowledge and comment, and sensor trends with the rule limits. */
export function MaintenancePage() {
  const { t } = useT();
  const { alerts } = useLive();
  const { plant } = usePlant();
  const { rules, fromPlant } = useRules(plant);
  const machines = useMemo(
    () => plant?.lines.flatMap((l) => l.machines.map((m) => ({ id: m.id, name: m.name }))) ?? [],
    [plant],
  );
  // First the machine of the newest open alert, else the first a threshold rule watches.
  const suggested = useMemo(() => {
    const alerted = [...alerts.values()]
      .filter((a) => a.status !== 'cleared')
      .sort((a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt))
      .map((a) => a.subject)
      .find((s) => machines.some((m) => m.id === s));
    return (
      alerted ?? machines.find((m) => watchedTags(rules, m.id).length > 0)?.id ?? machines[0]?.id
    );
  }, [alerts, machines, rules]);
  const [chosen, setChosen] = useState<string | null>(null);
  const machine = chosen ?? suggested ?? '';
  const [spanMs, setSpanMs] = useState<number>(WINDOWS[0][1]);
  const [toMs, setToMs] = useState(() => Date.now());
  const limitsFor = useCallback((m: string, tag: string) => ruleLimits(rules, m, tag), [rules]);
  const preferred = useCallback((m: string) => watchedTags(rules, m), [rules]);

  return (
    <main className="page page--maintenance" data-testid={TEST_IDS.maintenancePage}>
      <h2>{t('page.maintenance')}</h2>
      <MaintenanceView alerts={alerts} />
      <div className="pickers">
        <WindowPicker
          label={t('maint.trends')}
          choices={WINDOWS.map(([label, ms]) => ({ key: ms, label: t(label) }))}
          chosen={spanMs}
          onPick={(ms) => {
            setSpanMs(ms);
            setToMs(Date.now());
          }}
        />
        {fromPlant ? <span className="panel__note">{t('maint.rulesFromPlant')}</span> : null}
      </div>
      {machine ? (
        <TagTrend
          title={t('maint.trends')}
          machines={machines}
          machine={machine}
          onMachine={setChosen}
          preferredTags={preferred}
          limitsFor={limitsFor}
          fromMs={toMs - spanMs}
          toMs={toMs}
          testId={TEST_IDS.sensorTrend}
        />
      ) : null}
    </main>
  );
}
