import { useState } from 'react';
import type { AlertItem } from '@takt/protocol/alerts';
import { useT } from '../i18n';
import { andonOrder, type AlertsState } from '../lib/alerts-state';
import { alertCatalog, alertText } from '../lib/alert-text';
import { apiFetch } from '../lib/credentials';
import { plantDateTime } from '../lib/plant-time';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';

/**
 * `POST /api/alerts/:id/ack|clear` as the signed-in user (the server takes who acts from
 * the session, issue 9); the socket brings the changed alert back.
 */
async function act(id: number, action: 'ack' | 'clear', comment: string) {
  const response = await apiFetch(`/api/alerts/${id}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(comment ? { comment } : {}),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(body.message ?? `HTTP ${response.status}`);
  }
}

function AlertRow({ alert }: { alert: AlertItem }) {
  const { t, lang } = useT();
  const { timeZone, plant } = usePlant();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const run = (action: 'ack' | 'clear') => {
    setError(null);
    act(alert.id, action, comment.trim()).catch((e: Error) => setError(e.message));
  };
  const who = alert.acknowledgedBy;
  return (
    <li
      className={`maint__alert maint__alert--${alert.severity}`}
      data-testid={TEST_IDS.maintenanceAlert}
      data-alert-id={alert.id}
      data-status={alert.status}
    >
      <div className="maint__message">{alertText(alert, lang, timeZone, alertCatalog(plant))}</div>
      <div className="maint__meta">
        {t(`severity.${alert.severity}`)} · {alert.subject} ·{' '}
        {t('maint.since', { time: plantDateTime(Date.parse(alert.openedAt), timeZone) })}
        {who ? (
          <span className="maint__who" data-testid={TEST_IDS.maintenanceAck}>
            {' · '}
            {alert.ackComment
              ? t('maint.onItComment', { who, comment: alert.ackComment })
              : t('maint.onIt', { who })}
          </span>
        ) : null}
        {alert.deliveryFailed ? ` · ${t('maint.deliveryFailed')}` : ''}
      </div>
      <div className="maint__actions">
        <input
          aria-label={t('maint.comment')}
          placeholder={t('maint.commentPlaceholder')}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
        {alert.status === 'open' ? (
          <button type="button" onClick={() => run('ack')}>
            {t('maint.ack')}
          </button>
        ) : null}
        <button type="button" onClick={() => run('clear')}>
          {t('maint.clear')}
        </button>
        {error ? <span className="maint__error">{error}</span> : null}
      </div>
    </li>
  );
}

/** The alerts not cleared, to acknowledge ("I'm on it", with a comment) or clear by hand. */
export function MaintenanceView({ alerts }: { alerts: AlertsState }) {
  const { t } = useT();
  const ordered = andonOrder(alerts);
  return (
    <section className="maint" data-testid={TEST_IDS.maintenance}>
      <h3>{t('maint.alerts')}</h3>
      {ordered.length === 0 ? <p className="maint__empty">{t('maint.none')}</p> : null}
      <ul className="maint__list">
        {ordered.map((a) => (
          <AlertRow key={a.id} alert={a} />
        ))}
      </ul>
    </section>
  );
}
