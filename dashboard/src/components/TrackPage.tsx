import { useEffect, useState } from 'react';
import { useT } from '../i18n';
import { apiFetch } from '../lib/credentials';
import { plantDateTime } from '../lib/plant-time';
import {
  historyOldestFirst,
  progressPercent,
  trackEvent,
  trackOrder,
  type TrackAnswer,
  type TrackedOrder,
} from '../lib/track-order';
import { TEST_IDS } from '../testids';
import { LangSwitch } from './BoardHeader';
import { PlainMessage } from './PlainMessage';

const REFRESH_MS = 30_000;

type Load =
  | { kind: 'loading' }
  | { kind: 'ok'; data: TrackAnswer; atMs: number }
  | { kind: 'refused' }
  | { kind: 'error'; reason: string };

function useTrackedOrders(): Load {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  useEffect(() => {
    let alive = true;
    const fetchOnce = async () => {
      try {
        const response = await apiFetch('/api/track/orders');
        if (!alive) return;
        if (response.ok) {
          const data = (await response.json()) as TrackAnswer;
          if (alive) setLoad({ kind: 'ok', data, atMs: Date.now() });
        } else if (response.status === 401 || response.status === 403) setLoad({ kind: 'refused' });
        // A passing error keeps what is on screen; only a first load shows it.
        else
          setLoad((l) =>
            l.kind === 'ok' ? l : { kind: 'error', reason: `HTTP ${response.status}` },
          );
      } catch (error) {
        if (alive)
          setLoad((l) =>
            l.kind === 'ok' ? l : { kind: 'error', reason: (error as Error).message },
          );
      }
    };
    void fetchOnce();
    const timer = window.setInterval(() => void fetchOnce(), REFRESH_MS);
    return () => {
      alive = false;
      window.clearInterval(timer);
    };
  }, []);
  return load;
}

function OrderCard({ order, timeZone }: { order: TrackedOrder; timeZone: string }) {
  const { t } = useT();
  const at = (iso: string | null) => (iso ? plantDateTime(Date.parse(iso), timeZone) : null);
  const percent = progressPercent(order);
  const done = order.status === 'completed';
  return (
    <li
      className="track-order"
      data-testid={TEST_IDS.trackOrder}
      data-order-id={order.id}
      data-status={order.status}
    >
      <div className="track-order__head">
        <span className="track-order__id">{order.id}</span>
        <span className="track-order__status" data-status={order.status}>
          {t(`orderStatus.${order.status}`)}
        </span>
      </div>
      <dl className="track-order__facts">
        <dt>{t('track.product')}</dt>
        <dd>{order.product ?? t('common.none')}</dd>
        {!done && order.stage ? (
          <>
            <dt>{t('track.stage')}</dt>
            <dd data-testid={TEST_IDS.trackStage}>
              {order.stage.operation} · {t(`opStatus.${order.stage.status}`)}
            </dd>
          </>
        ) : null}
        <dt>{t('track.due')}</dt>
        <dd data-testid={TEST_IDS.trackDue}>{at(order.dueAt) ?? t('common.none')}</dd>
        {!done ? (
          <>
            <dt>{t('track.eta')}</dt>
            <dd
              data-testid={TEST_IDS.trackEta}
              className={order.lateRisk ? 'track-order__late' : undefined}
              data-late-risk={order.lateRisk}
            >
              {at(order.eta) ?? t('track.noEta')}
              {order.eta ? ` · ${t(order.lateRisk ? 'track.lateRisk' : 'track.onTime')}` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      <div
        className="track-order__bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        data-testid={TEST_IDS.trackProgress}
      >
        <span style={{ width: `${percent}%` }} />
      </div>
      <p className="track-order__count">
        {t('track.progress', { good: order.good, quantity: order.quantity })} · {percent} %
      </p>
      <details className="track-order__more">
        <summary>
          {t('track.stages')} · {t('track.history')}
        </summary>
        <h3 className="track-order__sub">{t('track.stages')}</h3>
        <ol className="track-order__stages">
          {order.stages.map((s) => (
            <li key={s.operation} data-status={s.status}>
              <span>{s.operation}</span> <span>{t(`opStatus.${s.status}`)}</span>{' '}
              <span className="track-order__when">
                {[at(s.startedAt), at(s.completedAt)].filter(Boolean).join(' → ')}
              </span>
            </li>
          ))}
        </ol>
        <h3 className="track-order__sub">{t('track.history')}</h3>
        <ol className="track-order__history" data-testid={TEST_IDS.trackHistory}>
          {order.history.length === 0 ? <li>{t('track.noHistory')}</li> : null}
          {historyOldestFirst(order).map((h, i) => (
            <li key={i}>
              <span className="track-order__when">{at(h.time)}</span>{' '}
              {t(`event.${trackEvent(h.event)}`, { operation: h.operation ?? '' })}
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

/** A customer's private page (`/track#<token>`): their orders, read-only, refreshed, phone-first. */
export function TrackPage() {
  const { t } = useT();
  const load = useTrackedOrders();
  if (load.kind === 'refused') return <PlainMessage text={t('error.badToken')} />;
  const data = load.kind === 'ok' ? load.data : null;
  const timeZone = data?.plant?.timeZone ?? 'UTC';
  return (
    <main className="track" data-testid={TEST_IDS.track}>
      <header className="track__header">
        <h1 className="track__title">
          <span className="header__brand">{t('app.title')}</span>{' '}
          {data ? t('track.titleOf', { customer: data.customer }) : t('track.title')}
        </h1>
        <LangSwitch />
      </header>
      {data?.plant?.name ? (
        <p className="track__plant">{t('track.from', { plant: data.plant.name })}</p>
      ) : null}
      {load.kind === 'loading' ? <p>{t('common.loading')}</p> : null}
      {load.kind === 'error' ? (
        <p className="login__error" role="alert">
          {t('track.error', { reason: load.reason })}
        </p>
      ) : null}
      {load.kind === 'ok' ? (
        <>
          <p className="track__zone" data-testid={TEST_IDS.trackZone} data-time-zone={timeZone}>
            {t('track.timesIn', { zone: timeZone, time: plantDateTime(load.atMs, timeZone) })}
          </p>
          {load.data.orders.length === 0 ? <p>{t('track.none')}</p> : null}
          <ul className="track__orders">
            {trackOrder(load.data.orders).map((o) => (
              <OrderCard key={o.id} order={o} timeZone={timeZone} />
            ))}
          </ul>
        </>
      ) : null}
    </main>
  );
}
