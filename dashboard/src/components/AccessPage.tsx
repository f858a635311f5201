import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { LinkToken, Operator } from '@takt/protocol/api';
import { useT } from '../i18n';
import type { MessageKey } from '../i18n/translate';
import { apiFetch } from '../lib/credentials';
import { plantDateTime } from '../lib/plant-time';
import { TEST_IDS } from '../testids';
import { LangSwitch } from './BoardHeader';

type Kind = 'kiosk' | 'customer' | 'station';

const TITLE: Record<Kind, MessageKey> = {
  kiosk: 'access.kiosk',
  customer: 'access.customer',
  station: 'access.station',
};
const PLACEHOLDER: Record<Kind, MessageKey> = {
  kiosk: 'access.kioskPlaceholder',
  customer: 'access.customerPlaceholder',
  station: 'access.stationPlaceholder',
};
const bodyOf = (kind: Kind, name: string) =>
  kind === 'kiosk' ? { label: name } : kind === 'customer' ? { customer: name } : { station: name };

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
    const body = bodyOf(kind, name);
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
      <h2>{t(TITLE[kind])}</h2>
      <form className="access__create" onSubmit={(e) => void create(e)}>
        <input
          name="name"
          placeholder={t(PLACEHOLDER[kind])}
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
              <td>{token.station ?? token.customer ?? token.label}</td>
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

/**
 * Operators who sign in at a shared station with a PIN (admins only: a manager's list is
 * refused, and then the section stays hidden). The PIN is sent once and never shown again.
 */
function OperatorsSection() {
  const { t } = useT();
  const [operators, setOperators] = useState<Operator[] | null>(null);
  const [form, setForm] = useState({ badge: '', name: '', pin: '' });
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const response = await apiFetch('/api/operators');
    setOperators(response.ok ? ((await response.json()) as Operator[]) : null);
  }, []);
  useEffect(() => void load(), [load]);
  if (operators === null) return null;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const response = await apiFetch('/api/operators', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(form),
    });
    if (!response.ok) {
      const answer = (await response.json()) as { message?: string };
      return setError(t('access.failed', { reason: answer.message ?? `HTTP ${response.status}` }));
    }
    setForm({ badge: '', name: '', pin: '' });
    setError(null);
    await load();
  };
  const remove = async (badge: string) => {
    await apiFetch(`/api/operators/${encodeURIComponent(badge)}`, { method: 'DELETE' });
    await load();
  };
  const field = (key: keyof typeof form, label: MessageKey, more: object = {}) => (
    <input
      name={key}
      placeholder={t(label)}
      value={form[key]}
      onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      required
      {...more}
    />
  );

  return (
    <section className="access__section" data-testid="operators-section">
      <h2>{t('access.operators')}</h2>
      <form className="access__create" onSubmit={(e) => void save(e)}>
        {field('badge', 'access.badge')}
        {field('name', 'access.operatorName')}
        {field('pin', 'access.pin', {
          type: 'password',
          inputMode: 'numeric',
          pattern: '\\d{4,8}',
        })}
        <button className="login__submit" type="submit">
          {t('access.saveOperator')}
        </button>
      </form>
      {error && <p className="login__error">{error}</p>}
      <table className="track__table">
        <tbody>
          {operators.map((o) => (
            <tr key={o.badge}>
              <td>{o.badge}</td>
              <td>{o.name}</td>
              <td>
                <button type="button" onClick={() => void remove(o.badge)}>
                  {t('access.removeOperator')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** `/access`, for admins and managers: the links that open boards, order pages and stations. */
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
      <LinkSection kind="station" timeZone={timeZone} />
      <OperatorsSection />
    </main>
  );
}
