import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Shell } from './Shell';
import { LoginPage } from './components/LoginPage';
import { PlainMessage } from './components/PlainMessage';
import { LangProvider, useT } from './i18n';
import { apiFetch, linkCredentialFrom, setLinkCredential } from './lib/credentials';
import { routeFor } from './lib/route';
import { LiveProvider } from './live/LiveContext';
import { PlantProvider } from './plant/PlantContext';

/** Pages a wall screen never opens load on demand, outside the boards' entry bundle. */
const AccessPage = lazy(() =>
  import('./components/AccessPage').then((m) => ({ default: m.AccessPage })),
);
const TrackPage = lazy(() =>
  import('./components/TrackPage').then((m) => ({ default: m.TrackPage })),
);
const StationPage = lazy(() =>
  import('./station/StationPage').then((m) => ({ default: m.StationPage })),
);

/** How often a page asks whether its session or link still holds. */
const RECHECK_MS = 60_000;
const UNREACHABLE_RETRY_MS = 5_000;

type Who =
  | { kind: 'user'; name: string; role: string }
  | { kind: 'kiosk'; label: string }
  | { kind: 'customer' }
  | { kind: 'station'; station: string };

/**
 * Which page: a customer link shows its orders; a kiosk link or a signed-in user the board
 * or page the URL names; anyone else the sign-in form (issue 9).
 */
function Screen() {
  const { t } = useT();
  const [credential] = useState(() => linkCredentialFrom(location.pathname, location.hash));
  setLinkCredential(credential);
  const [route] = useState(() => routeFor(location.pathname, location.search));
  const [who, setWho] = useState<Who | null | 'checking' | 'unreachable'>('checking');

  // Who holds this page. A 401 means the session ended or the link was revoked; a server
  // that does not answer is asked again (a wall TV often boots before the server).
  const check = useCallback(async () => {
    try {
      const response = await apiFetch('/api/auth/me');
      if (response.ok) setWho((await response.json()) as Who);
      else if (response.status === 401) setWho(null);
      else setWho((w) => (w === 'checking' ? 'unreachable' : w));
    } catch {
      setWho((w) => (w === 'checking' ? 'unreachable' : w));
    }
  }, []);
  const recheck = useCallback(() => void check(), [check]);
  useEffect(() => {
    void check();
    const timer = window.setInterval(() => void check(), RECHECK_MS);
    return () => window.clearInterval(timer);
  }, [check]);
  useEffect(() => {
    if (who !== 'unreachable') return;
    const timer = window.setTimeout(() => {
      setWho('checking');
      void check();
    }, UNREACHABLE_RETRY_MS);
    return () => window.clearTimeout(timer);
  }, [who, check]);

  if (credential?.kind === 'customer' || route.kind === 'track') return <TrackPage />;
  if (who === 'checking') return <Loading />;
  if (who === 'unreachable') return <PlainMessage text={t('error.unreachable')} />;
  if (who === null) {
    if (credential?.kind === 'kiosk') return <PlainMessage text={t('error.badKiosk')} />;
    if (credential?.kind === 'station') return <PlainMessage text={t('station.badLink')} />;
    return <LoginPage onSignedIn={() => void check()} />;
  }
  // The operator station: its own screen, no socket and no board header (docs/dashboard.md
  // "Station"); a station link opens only its own station.
  if (route.kind === 'station') {
    if (who.kind === 'station' && who.station !== route.id)
      return (
        <PlainMessage text={t('station.otherStation', { station: who.station, id: route.id })} />
      );
    if (who.kind === 'kiosk' || who.kind === 'customer')
      return <PlainMessage text={t('station.forbidden')} />;
    return <StationPage id={route.id} />;
  }
  if (who.kind === 'station') return <PlainMessage text={t('error.forbidden')} />;
  const signOut = async () => {
    await apiFetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    setWho(null);
  };
  const manages = who.kind === 'user' && (who.role === 'admin' || who.role === 'manager');
  const fixesGateways = who.kind === 'user' && (who.role === 'admin' || who.role === 'maintenance');
  if (manages && route.kind === 'access') return <AccessPage />;
  return (
    <PlantProvider>
      <LiveProvider>
        <Shell
          route={route}
          onConnectionLost={recheck}
          account={
            who.kind === 'user' ? { name: who.name, signOut, manages, fixesGateways } : undefined
          }
        />
      </LiveProvider>
    </PlantProvider>
  );
}

function Loading() {
  const { t } = useT();
  return <p className="page-loading">{t('common.loading')}</p>;
}

export function Root() {
  return (
    <LangProvider>
      <Suspense fallback={<Loading />}>
        <Screen />
      </Suspense>
    </LangProvider>
  );
}
