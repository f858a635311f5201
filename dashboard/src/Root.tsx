import { useCallback, useEffect, useState } from 'react';
import { App } from './App';
import { AccessPage } from './components/AccessPage';
import { LoginPage } from './components/LoginPage';
import { TrackPage } from './components/TrackPage';
import { apiFetch, linkCredentialFrom, setLinkCredential } from './lib/credentials';

type Who =
  | { kind: 'user'; name: string; role: string }
  | { kind: 'kiosk'; label: string }
  | { kind: 'customer' };

/**
 * Which page: a customer link shows its orders; a kiosk link or a signed-in user the board;
 * anyone else the sign-in form (issue 9).
 */
export function Root() {
  const [credential] = useState(() => linkCredentialFrom(location.pathname, location.hash));
  setLinkCredential(credential);
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

  if (credential?.kind === 'customer') return <TrackPage />;
  if (who === 'checking') return null;
  if (who === null) {
    if (credential?.kind === 'kiosk')
      return <p className="login__error">This board link is not valid (any more).</p>;
    return <LoginPage onSignedIn={() => void check()} />;
  }
  const signOut = async () => {
    await apiFetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    setWho(null);
  };
  if (who.kind === 'user' && location.pathname.startsWith('/access')) return <AccessPage />;
  const manages = who.kind === 'user' && (who.role === 'admin' || who.role === 'manager');
  return <App account={who.kind === 'user' ? { name: who.name, signOut, manages } : undefined} />;
}
