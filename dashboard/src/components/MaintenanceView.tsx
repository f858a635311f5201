import { useState } from 'react';
import type { AlertItem } from '@takt/protocol/alerts';
import { andonOrder, type AlertsState } from '../lib/alerts-state';
import { formatClock } from '../lib/format';
import { TEST_IDS } from '../testids';

const NAME_KEY = 'takt.maintenance.name';

/** `POST /api/alerts/:id/ack|clear`; the socket brings the changed alert back. */
async function act(id: number, action: 'ack' | 'clear', by: string, comment: string) {
  const response = await fetch(`/api/alerts/${id}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ by, ...(comment ? { comment } : {}) }),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(body.message ?? `HTTP ${response.status}`);
  }
}

function AlertRow({ alert, by }: { alert: AlertItem; by: string }) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const run = (action: 'ack' | 'clear') => {
    if (!by) return setError('enter your name first');
    setError(null);
    act(alert.id, action, by, comment).catch((e: Error) => setError(e.message));
  };
  return (
    <li
      className={`maint__alert maint__alert--${alert.severity}`}
      data-testid={TEST_IDS.maintenanceAlert}
      data-alert-id={alert.id}
      data-status={alert.status}
    >
      <div className="maint__message">{alert.message}</div>
      <div className="maint__meta">
        {alert.severity} · {alert.subject} · since {formatClock(Date.parse(alert.openedAt))}
        {alert.acknowledgedBy
          ? ` · ${alert.acknowledgedBy} on it${alert.ackComment ? `: ${alert.ackComment}` : ''}`
          : ''}
        {alert.deliveryFailed ? ' · a notice could not be delivered' : ''}
      </div>
      <div className="maint__actions">
        <input
          aria-label="Comment"
          placeholder="comment"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
        {alert.status === 'open' ? (
          <button type="button" onClick={() => run('ack')}>
            Acknowledge
          </button>
        ) : null}
        <button type="button" onClick={() => run('clear')}>
          Clear
        </button>
        {error ? <span className="maint__error">{error}</span> : null}
      </div>
    </li>
  );
}

/** `/maintenance`: the alerts not cleared, to acknowledge ("I'm on it") or clear by hand. */
export function MaintenanceView({ alerts }: { alerts: AlertsState }) {
  const [by, setBy] = useState(() => localStorage.getItem(NAME_KEY) ?? '');
  const ordered = andonOrder(alerts);
  return (
    <main className="maint" data-testid={TEST_IDS.maintenance}>
      <label className="maint__who">
        Your name{' '}
        <input
          aria-label="Your name"
          value={by}
          onChange={(e) => {
            setBy(e.target.value);
            localStorage.setItem(NAME_KEY, e.target.value);
          }}
        />
      </label>
      {ordered.length === 0 ? <p className="maint__empty">No open alerts.</p> : null}
      <ul className="maint__list">
        {ordered.map((a) => (
          <AlertRow key={a.id} alert={a} by={by.trim()} />
        ))}
      </ul>
    </main>
  );
}
