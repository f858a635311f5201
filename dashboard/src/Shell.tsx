import { useEffect, useMemo } from 'react';
import { siteTitle } from './lib/group-by-line';
import type { Route } from './lib/route';
import { useLive } from './live/LiveContext';
import { useNow } from './live/use-now';
import { BoardHeader } from './components/BoardHeader';
import { ConnectionBanner } from './components/ConnectionBanner';
import { PlainMessage } from './components/PlainMessage';
import { BoardScreen } from './boards/BoardScreen';
import { AnalyticsPage } from './pages/AnalyticsPage';
import { MaintenancePage } from './pages/MaintenancePage';
import { WorkOrderPage } from './pages/WorkOrderPage';
import { usePlant } from './plant/PlantContext';
import { useT } from './i18n';

export interface Account {
  name: string;
  signOut: () => Promise<void>;
  /** Admins and managers: a way to the access links page. */
  manages: boolean;
}

/**
 * Every screen behind a sign-in or a kiosk link: the header (site, live status, clock in the
 * plant's time zone, language, and for a signed-in user the pages and sign-out), the
 * stale-data banner, then the board or page the URL names. A kiosk screen (`account`
 * undefined) shows no navigation.
 */
export function Shell({ route, account }: { route: Route; account?: Account | undefined }) {
  const live = useLive();
  const { plant } = usePlant();
  const { t } = useT();
  const now = useNow();
  const serverNowMs = now + live.clockOffsetMs;
  const machines = useMemo(() => [...live.machines.values()], [live.machines]);
  const title = plant?.site.name ?? siteTitle(machines);

  useEffect(() => {
    document.title = title ? `${title} — Takt` : 'Takt';
  }, [title]);

  return (
    <div className="app" data-route={route.kind}>
      <BoardHeader
        title={title}
        machines={machines}
        status={live.status}
        serverNowMs={serverNowMs}
        account={account}
      />
      <ConnectionBanner status={live.status} lastDataAtMs={live.lastDataAtMs} />
      {route.kind === 'boards' ? (
        <BoardScreen boards={route.boards} everyS={route.everyS} />
      ) : route.kind === 'analytics' ? (
        <AnalyticsPage />
      ) : route.kind === 'maintenance' ? (
        <MaintenancePage />
      ) : route.kind === 'work-order' ? (
        <WorkOrderPage id={route.id} />
      ) : route.kind === 'bad-url' ? (
        <PlainMessage text={t('error.badUrl', { reason: route.message })} />
      ) : null}
    </div>
  );
}
