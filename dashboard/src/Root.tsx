import { useCallback, useEffect, useState } from 'react';
import { Shell } from './Shell';
import { AccessPage } from './components/AccessPage';
import { LoginPage } from './components/LoginPage';
import { PlainMessage } from './components/PlainMessage';
import { TrackPage } from './components/TrackPage';
import { LangProvider, useT } from './i18n';
import { apiFetch, linkCredentialFrom, setLinkCredential } from './lib/credentials';
import { routeFor } from './lib/route';
import { LiveProvider } from './live/LiveContext';
import { PlantProvider } from './plant/PlantContext';

type Who =
  | { kind: 'user'; name: string; role: string }
  | { kind: 'kiosk'; label: string }
  | { kind: 'customer' };

/**
 * Which page: a customer link shows its orders; a kiosk link or a signed-in user the board
 * or page the URL names; anyone else the sign-in form (issue 9).
 */
function Screen() {
  const { t } = useT();
  const [credential] = useState(() => linkCredentialFrom(location.pathname, location.hash));
  setLinkCredential(credential);
  const [route] = useState(() => routeFor(location.pathname, location.search));
  const [who, setWho] = useState<Who | null | 'checking'>('checking');

  const check = useCallback(async () => {
    try {
      const response = await apiFetch('/api/auth/me');
      setWho(response.ok ? ((await response.json()) as Who) : null);
    } catch {
      setWho(null);
    }
  }, []);
  useEffect(() => void check(), [check]);

  if (credential?.kind === 'customer' || route.kind === 'track') return <TrackPage />;
  if (who === 'checking') return null;
  if (who === null) {
    if (credential?.kind === 'kiosk') return <PlainMessage text={t('error.badKiosk')} />;
    return <LoginPage onSignedIn={() => void check()} />;
  }
  const signOut = async () => {
    await apiFetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    setWho(null);
  };
  if (who.kind === 'user' && route.kind === 'access') return <AccessPage />;
  const manages = who.kind === 'user' && (who.role === 'admin' || who.role === 'manager');
  return (
    <PlantProvider>
      <LiveProvider>
        <Shell
          route={route}
          account={who.kind === 'user' ? { name: who.name, signOut, manages } : undefined}
        />
      </LiveProvider>
    </PlantProvider>
  );
}

export function Root() {
  return (
    <LangProvider>
      <Screen />
    </LangProvider>
  );
}
