import { useState, type FormEvent } from 'react';
import { useT } from '../i18n';
import { apiFetch } from '../lib/credentials';
import { TEST_IDS } from '../testids';
import { LangSwitch } from './BoardHeader';

interface LoginPageProps {
  onSignedIn: () => void;
}

/** Staff sign-in: the server answers with an HttpOnly session cookie. */
export function LoginPage({ onSignedIn }: LoginPageProps) {
  const { t } = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await apiFetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (response.ok) return onSignedIn();
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      // The server's message names what is wrong (it is in English, as every API error).
      setError(body.message ?? t('login.failed', { status: response.status }));
    } catch {
      setError(t('login.noAnswer'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <div className="login__lang">
        <LangSwitch />
      </div>
      <form className="login__form" onSubmit={(e) => void submit(e)} data-testid={TEST_IDS.login}>
        <h1 className="login__title">
          <span className="header__brand">{t('app.title')}</span> {t('login.title')}
        </h1>
        <label className="login__field">
          {t('login.user')}
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label className="login__field">
          {t('login.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="login__error" role="alert" data-testid={TEST_IDS.loginError}>
            {error}
          </p>
        )}
        <button className="login__submit" type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  );
}
