import { useState, type FormEvent } from 'react';
import { apiFetch } from '../lib/credentials';
import { TEST_IDS } from '../testids';

interface LoginPageProps {
  onSignedIn: () => void;
}

/** Staff sign-in: the server answers with an HttpOnly session cookie. */
export function LoginPage({ onSignedIn }: LoginPageProps) {
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
      setError(body.message ?? `sign-in failed (HTTP ${response.status})`);
    } catch {
      setError('the server does not answer');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login__form" onSubmit={(e) => void submit(e)} data-testid={TEST_IDS.login}>
        <h1 className="login__title">
          <span className="header__brand">Takt</span> Sign in
        </h1>
        <label className="login__field">
          User
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label className="login__field">
          Password
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
          Sign in
        </button>
      </form>
    </main>
  );
}
