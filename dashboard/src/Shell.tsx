import { lazy, Suspense, useEffect, useMemo } from 'react';
import { siteTitle } from './lib/group-by-line';
import type { Route } from './lib/route';
import { useLive } from './live/LiveContext';
import { useNow } from './live/use-now';
import { BoardHeader } from './components/BoardHeader';
import { ConnectionBanner } from './components/ConnectionBanner';
import { PlainMessage } from './components/PlainMessage';
import { BoardScreen } from './boards/BoardScreen';
import { usePlant } from './plant/PlantContext';
import { useT } from './i18n';

/**
 * Pages load on demand, each in its own chunk: a wall TV loads the boards only, and its entry
 * bundle stays small (docs/dashboard.md, "Platform"; `npm run bench -- dashboard`).
 */
const AnalyticsPage = lazy(() =>
  import('./pages/AnalyticsPage').then((m) => ({ default: m.AnalyticsPage })),
);
const MaintenancePage = lazy(() =>
  import('./pages/MaintenancePage').then((m) => ({ default: m.MaintenancePage })),
);
const ImportPage = lazy(() =>
  import('./pages/ImportPage').then((m) => ({ default: m.ImportPage })),
);
const MonthlyPage = lazy(() =>
  import('./pages/monthly/MonthlyPage').then((m) => ({ default: m.MonthlyPage })),
);
const PlanningPage = lazy(() =>
  import('./pages/planning/PlanningPage').then((m) => ({ default: m.PlanningPage })),
);
const WorkOrderPage = lazy(() =>
  import('./pages/WorkOrderPage').then((m) => ({ default: m.WorkOrderPage })),
);

const NcPage = lazy(() => import('./pages/nc/NcPage').then((m) => ({ default: m.NcPage })));
const SpcListPage = lazy(() =>
  import('./pages/spc/SpcListPage').then((m) => ({ default: m.SpcListPage })),
);
const GatewayConfigPanel = lazy(() =>
  import('./pages/GatewayConfigPanel').then((m) => ({ default: m.GatewayConfigPanel })),
);
const SpcPage = lazy(() => import('./pages/spc/SpcPage').then((m) => ({ default: m.SpcPage })));

const GatewaysPage = lazy(() =>
  import('./pages/gateways/GatewaysPage').then((m) => ({ default: m.GatewaysPage })),
);
const GatewayPage = lazy(() =>
  import('./pages/gateways/GatewayPage').then((m) => ({ default: m.GatewayPage })),
);

function PageFor({ route, account }: { route: Route; account?: Account | undefined }) {
  const { t } = useT();
  switch (route.kind) {
    case 'boards':
      return <BoardScreen boards={route.boards} everyS={route.everyS} />;
    case 'analytics':
      return <AnalyticsPage />;
    case 'maintenance':
      return <MaintenancePage />;
    case 'import':
      return <ImportPage />;
    case 'planning':
      return <PlanningPage manages={account?.manages ?? false} />;
    case 'monthly':
      return <MonthlyPage month={route.month} />;
    case 'work-order':
      return <WorkOrderPage id={route.id} />;
    case 'nc':
      return <NcPage />;
    case 'spc':
      return <SpcListPage />;
    case 'spc-chart':
      return <SpcPage id={route.id} />;
    case 'gateway-config':
      return <GatewayConfigPanel id={route.id} />;
    case 'gateways':
      return <GatewaysPage />;
    case 'gateway':
      return <GatewayPage id={route.id} />;
    case 'bad-url':
      return <PlainMessage text={t('error.badUrl', { reason: t(route.key, route.vars) })} />;
    case 'access': // a kiosk screen or a role without links: Root shows the page to managers
      return <PlainMessage text={t('error.forbidden')} />;
    case 'track': // Root shows it, before any sign-in
    case 'station': // Root shows it, without the board header
      return null;
  }
}

export interface Account {
  name: string;
  signOut: () => Promise<void>;
  /** Admins and managers: a way to the access links page. */
  manages: boolean;
  /** Admins and maintenance: the Gateways page (who reads dead letters, docs/dashboard.md). */
  fixesGateways: boolean;
}

/**
 * Every screen behind a sign-in or a kiosk link: the header (site, live status, clock in the
 * plant's time zone, language, and for a signed-in user the pages and sign-out), the
 * stale-data banner, then the board or page the URL names. A kiosk screen (`account`
 * undefined) shows no navigation.
 */
export function Shell({
  route,
  account,
  onConnectionLost,
}: {
  route: Route;
  account?: Account | undefined;
  /** Called when the live connection drops: a revoked link or an ended session shows at once. */
  onConnectionLost?: () => void;
}) {
  const live = useLive();
  const lost = live.status === 'lost';
  useEffect(() => {
    if (lost) onConnectionLost?.();
  }, [lost, onConnectionLost]);
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
      <Suspense fallback={<p className="page-loading">{t('common.loading')}</p>}>
        <PageFor route={route} account={account} />
      </Suspense>
    </div>
  );
}
