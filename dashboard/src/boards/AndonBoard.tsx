import { useEffect, useRef, useState } from 'react';
import type { AlertItem } from '@takt/protocol/alerts';
import { isFlashing, noteArrivals, type Arrivals } from '../lib/alert-arrivals';
import { andonOrder } from '../lib/alerts-state';
import { alertCatalog, alertText } from '../lib/alert-text';
import { formatDuration } from '../lib/format';
import { plantClock } from '../lib/plant-time';
import { useLive } from '../live/LiveContext';
import { useNow } from '../live/use-now';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import { beep, soundWanted } from './beep';

/** Two columns of five cards fit a 1080p screen at a size read from across the hall. */
const MAX_CARDS = 10;

function AlertCard({
  alert,
  serverNowMs,
  flashing,
}: {
  alert: AlertItem;
  serverNowMs: number;
  flashing: boolean;
}) {
  const { t, lang } = useT();
  const { timeZone, plant } = usePlant();
  const opened = Date.parse(alert.openedAt);
  return (
    <li
      className={`andon-card andon-card--${alert.severity} andon-card--${alert.status}${flashing ? ' andon-card--new' : ''}`}
      data-testid={TEST_IDS.andonCard}
      data-alert-id={alert.id}
      data-rule={alert.rule}
      data-severity={alert.severity}
      data-status={alert.status}
      data-new={String(flashing)}
    >
      <span className="andon-card__severity">
        {t(`severity.${alert.severity}`)}
        {flashing ? <span className="andon-card__new">{t('andon.new')}</span> : null}
      </span>
      <span className="andon-card__message">
        {alertText(alert, lang, timeZone, alertCatalog(plant))}
      </span>
      <span className="andon-card__subject">{alert.subject}</span>
      <span className="andon-card__open">
        <span className="andon-card__since">{plantClock(opened, timeZone)}</span>
        <span className="andon-card__age" data-age-ms={Math.max(0, serverNowMs - opened)}>
          {t('andon.open', { time: formatDuration(serverNowMs - opened, lang) })}
        </span>
      </span>
      <span className="andon-card__ack">
        {alert.acknowledgedBy
          ? t('andon.ackBy', { name: alert.acknowledgedBy })
          : t('andon.notAcked')}
        {alert.ackComment ? ` — ${alert.ackComment}` : ''}
      </span>
    </li>
  );
}

/** Keeps when each alert first showed on this board; beeps on new ones if the URL asks. */
function useArrivals(ids: readonly number[]): Arrivals {
  const [arrivals, setArrivals] = useState<Arrivals>(() => noteArrivals(new Map(), ids, 0, true));
  const sound = useRef(soundWanted(location.search));
  const first = useRef(arrivals);
  const key = ids.join(',');
  useEffect(() => {
    // `key` stands for `ids`: this runs when the set of alerts changes.
    setArrivals((known) =>
      noteArrivals(known, key ? key.split(',').map(Number) : [], Date.now(), false),
    );
  }, [key]);
  useEffect(() => {
    if (arrivals !== first.current && sound.current) beep();
  }, [arrivals]);
  return arrivals;
}

/**
 * Open alerts, worst first (issue 8): severity, what and where, time open (ticking), who
 * acknowledged it. A new one flashes for some seconds (and beeps with `sound=1`).
 */
export function AndonBoard() {
  const { alerts, clockOffsetMs } = useLive();
  const { t } = useT();
  const now = useNow();
  const ordered = andonOrder(alerts);
  const arrivals = useArrivals(ordered.map((a) => a.id));
  const serverNowMs = now + clockOffsetMs;
  return (
    <main className="andon-board" data-testid={TEST_IDS.andonBoard} data-count={ordered.length}>
      <h2 className="andon-board__title">
        {ordered.length === 0 ? t('andon.none') : t('andon.count', { count: ordered.length })}
      </h2>
      <ul className="andon-board__list">
        {ordered.slice(0, MAX_CARDS).map((a) => (
          <AlertCard
            key={a.id}
            alert={a}
            serverNowMs={serverNowMs}
            flashing={isFlashing(arrivals.get(a.id), Date.parse(a.openedAt), now, serverNowMs)}
          />
        ))}
      </ul>
      {ordered.length > MAX_CARDS ? (
        <p className="andon-board__more">+{ordered.length - MAX_CARDS}</p>
      ) : null}
    </main>
  );
}
