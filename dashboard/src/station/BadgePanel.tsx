import type { StationView } from '@takt/protocol/api';
import { useState, type FormEvent } from 'react';
import { useT } from '../i18n';
import { formatClock } from '../lib/format';
import { postPin } from './station-api';

/**
 * Who works here: badged in (a badge scan `E<badge>`, or a PIN the server turns into that
 * badge, which the page then queues as the same scan), or nobody; and badge out (`ACT:LOGOUT`).
 */
export function BadgePanel({
  station,
  view,
  queue,
}: {
  station: string;
  view: StationView;
  queue: (code: string) => void;
}) {
  const { t } = useT();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await postPin(station, pin);
    setBusy(false);
    if (result.ok) {
      setPin('');
      queue(`E${result.value.badge}`);
    } else if (result.status === 401) setError(t('station.pinWrong'));
    else if (result.status === 429)
      setError(t('station.pinLocked', { seconds: result.retryAfterS ?? 60 }));
    else setError(t('station.pinError', { reason: result.message }));
  };
  const operator = view.operator;
  if (operator)
    return (
      <section
        className="station__badge"
        data-testid="station-operator"
        data-badge={operator.badge}
      >
        <span className="station__who">
          {operator.name ?? `E${operator.badge}`}{' '}
          <small>{t('station.since', { time: formatClock(Date.parse(operator.since)) })}</small>
        </span>
        <button
          type="button"
          className="station__button"
          data-testid="station-badge-out"
          onClick={() => queue('ACT:LOGOUT')}
        >
          {t('station.badgeOut')}
        </button>
      </section>
    );
  return (
    <form
      className="station__badge station__badge--in"
      data-testid="station-badge-in"
      onSubmit={(e) => void submit(e)}
    >
      <span className="station__who">{t('station.badgeIn')}</span>
      <input
        type="password"
        inputMode="numeric"
        autoComplete="off"
        pattern="\d{4,8}"
        aria-label={t('station.pin')}
        placeholder={t('station.pin')}
        value={pin}
        data-testid="station-pin"
        onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 8))}
      />
      <button
        type="submit"
        className="station__button station__button--go"
        disabled={busy || pin.length < 4}
        data-testid="station-pin-submit"
      >
        {t('station.pinSubmit')}
      </button>
      {error && (
        <p className="station__error" role="alert" data-testid="station-pin-error">
          {error}
        </p>
      )}
    </form>
  );
}
