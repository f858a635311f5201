import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiFetch } from '../lib/credentials';
import { TEST_IDS } from '../testids';

interface LinkToken {
  id: number;
  label: string;
  customer: string | null;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

type Kind = 'kiosk' | 'customer';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** One kind of link: create (the link is shown once), list, revoke. */
function LinkSection({ kind }: { kind: Kind }) {
  const [tokens, setTokens] = useState<LinkToken[]>([]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const response = await apiFetch(`/api/${kind}-tokens`);
    if (response.ok) setTokens((await response.json()) as LinkToken[]);
    else setError(`HTTP ${response.status}`);
  }, [kind]);
  useEffect(() => void load(), [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const body = kind === 'kiosk' ? { label: name } : { customer: name };
    const response = await apiFetch(`/api/${kind}-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { path?: string; message?: string };
    if (!response.ok) return setError(answer.message ?? `HTTP ${response.status}`);
    setCreated(`${location.origin}${answer.path}`);
    setName('');
    setError(null);
    await load();
  };

  const revoke = async (id: number) => {
    await apiFetch(`/api/${kind}-tokens/${id}`, { method: 'DELETE' });
    await load();
  };

  return (
    <section className="access__section" data-testid={TEST_IDS.linkSection} data-kind={kind}>
      <h2>{kind === 'kiosk' ? 'Wall screens (kiosk links)' : 'Customer links'}</h2>
      <form className="access__create" onSubmit={(e) => void create(e)}>
        <input
          name="name"
          placeholder={kind === 'kiosk' ? 'screen, e.g. Hall 2 TV' : 'customer, as on the orders'}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <button className="login__submit" type="submit">
          New link
        </button>
      </form>
      {created && (
        <p className="access__created">
          Copy it now, it is not shown again:{' '}
          <code data-testid={TEST_IDS.createdLink}>{created}</code>
        </p>
      )}
      {error && <p className="login__error">{error}</p>}
      <table className="track__table">
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} data-testid={TEST_IDS.linkRow} data-revoked={t.revokedAt !== null}>
              <td>{t.customer ?? t.label}</td>
              <td>created {when(t.createdAt)}</td>
              <td>last used {when(t.lastUsedAt)}</td>
              <td>
                {t.revokedAt ? (
                  `revoked ${when(t.revokedAt)}`
                ) : (
                  <button type="button" onClick={() => void revoke(t.id)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** `/access`, for admins and managers: the links that open boards and order pages. */
export function AccessPage() {
  return (
    <main className="track" data-testid={TEST_IDS.access}>
      <h1>
        <a className="header__brand" href="/">
          Takt
        </a>{' '}
        Access links
      </h1>
      <LinkSection kind="kiosk" />
      <LinkSection kind="customer" />
    </main>
  );
}
