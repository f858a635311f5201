import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { LinkToken } from '@takt/protocol/api';
import { useT } from '../i18n';
import { apiFetch } from '../lib/credentials';
import { plantDateTime } from '../lib/plant-time';
import { TEST_IDS } from '../testids';
import { LangSwitch } from './BoardHeader';

type Kind = 'kiosk' | 'customer';

/** Plant's time zone when the page knows it; staff read the plant's clock (docs/dashboard.md). */
function usePlantZone(): string {
  const [zone, setZone] = useState('UTC');
  useEffect(() => {
    let alive = true;
    apiFetch('/api/plant')
      .then(async (r) => (r.ok ? ((await r.json()) as { site: { timeZone: string } }) : null))
      .then((plant) => alive && plant && setZone(plant.site.timeZone))
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, []);
  return zone;
}

/** One kind of link: create (the link is shown once), list, revoke. */
function LinkSection({ kind, timeZone }: { kind: Kind; timeZone: string }) {
  const { t } = useT();
  const when = (iso: string | null) =>
    iso ? plantDateTime(Date.parse(iso), timeZone) : t('common.none');
  const [tokens, setTokens] = useState<LinkToken[]>([]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const response = await apiFetch(`/api/${kind}-tokens`);
    if (response.ok) setTokens((await response.json()) as LinkToken[]);
    else setError(t('access.failed', { reason: `HTTP ${response.status}` }));
  }, [kind, t]);
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
    if (!response.ok)
      return setError(t('access.failed', { reason: answer.message ?? `HTTP ${response.status}` }));
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
      <h2>{t(kind === 'kiosk' ? 'access.kiosk' : 'access.customer')}</h2>
      <form className="access__create" onSubmit={(e) => void create(e)}>
        <input
          name="name"
          placeholder={t(
            kind === 'kiosk' ? 'access.kioskPlaceholder' : 'access.customerPlaceholder',
          )}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <button className="login__submit" type="submit">
          {t('access.create')}
        </button>
      </form>
      {created && (
        <p className="access__created">
          {t('access.copyNow')} <code data-testid={TEST_IDS.createdLink}>{created}</code>
        </p>
      )}
      {error && <p className="login__error">{error}</p>}
      <table className="track__table">
        <tbody>
          {tokens.map((token) => (
            <tr
              key={token.id}
              data-testid={TEST_IDS.linkRow}
              data-revoked={token.revokedAt !== null}
            >
              <td>{token.customer ?? token.label}</td>
              <td>{t('access.created', { time: when(token.createdAt) })}</td>
              <td>{t('access.lastUsed', { time: when(token.lastUsedAt) })}</td>
              <td>
                {token.revokedAt ? (
                  t('access.revoked', { time: when(token.revokedAt) })
                ) : (
                  <button type="button" onClick={() => void revoke(token.id)}>
                    {t('access.revoke')}
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
  const { t } = useT();
  const timeZone = usePlantZone();
  return (
    <main className="track access" data-testid={TEST_IDS.access}>
      <header className="track__header">
        <h1 className="track__title">
          <a className="header__brand" href="/">
            {t('app.title')}
          </a>{' '}
          {t('access.title')}
        </h1>
        <LangSwitch />
      </header>
      <LinkSection kind="kiosk" timeZone={timeZone} />
      <LinkSection kind="customer" timeZone={timeZone} />
    </main>
  );
}
