import type { ReasonNode } from '@takt/protocol';
import type { StationView } from '@takt/protocol/api';
import { useCallback, useEffect, useState } from 'react';
import { PlainMessage } from '../components/PlainMessage';
import { useT } from '../i18n';
import { formatClock } from '../lib/format';
import { AndonPanel } from './AndonPanel';
import { BadgePanel } from './BadgePanel';
import { CameraScan } from './CameraScan';
import { EventList } from './EventList';
import { OrderPanel } from './OrderPanel';
import { StationQuality } from './StationQuality';
import { StopPrompt } from './StopPrompt';
import { TypedEntry } from './TypedEntry';
import { useOutbox, useStationData } from './use-station';
import { listenForWedge } from './wedge';
import './station.css';

/**
 * The operator station `/station/<id>` (docs/dashboard.md "Station"): for a phone or a tablet
 * at the station. Three ways to scan (a keyboard-wedge scanner anywhere on the page, the
 * camera, a typed code) end in one place: the code is kept in the outbox and sent to
 * `POST /api/stations/:id/scans`, which applies it as a gateway's scan.
 */
export function StationPage({ id }: { id: string }) {
  const { t, lang, setLang } = useT();
  const data = useStationData(id);
  const { refresh } = data;
  const outbox = useOutbox(id, refresh);
  const { queue } = outbox;
  const online = useOnline();
  const [later, setLater] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => listenForWedge(window, queue), [queue]);
  // Sending stopped on a 401/403: a poll that answers again means the credential is back.
  const { resume } = outbox;
  const unauthorized = outbox.status.unauthorized;
  useEffect(() => {
    if (unauthorized && data.error === null && data.fetchedAtMs > 0) resume();
  }, [unauthorized, data.error, data.fetchedAtMs, resume]);
  // A tapped button keeps no focus: a scanner's Enter must never press it again.
  const dropFocus = useCallback((event: React.MouseEvent) => {
    const target = event.target as HTMLElement;
    if (target.closest('button')) window.setTimeout(() => target.closest('button')?.blur(), 0);
  }, []);

  const view = data.view;
  if (!view) {
    if (data.error?.status === 404) return <PlainMessage text={t('station.notFound', { id })} />;
    if (data.error?.status === 403) return <PlainMessage text={t('station.forbidden')} />;
    if (data.error)
      return <PlainMessage text={t('station.loadError', { reason: data.error.message })} />;
    return <p className="page-loading">{t('station.loading')}</p>;
  }
  const stop = view.stops.find((s) => !later.has(s.start));
  const status = outbox.status;
  return (
    <div
      className="station"
      data-testid="station-page"
      data-station={id}
      data-online={online}
      data-waiting={status.waiting}
      onClickCapture={dropFocus}
    >
      <header className="station__header">
        <h1 className="station__title">{t('station.title', { name: view.station.name })}</h1>
        <OutboxBadge waiting={status.waiting} online={online} unauthorized={status.unauthorized} />
        <button
          type="button"
          className="station__button station__lang"
          data-testid="lang-switch"
          data-lang={lang}
          onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
        >
          {t('lang.switch')}
        </button>
      </header>
      {data.error && (
        <p className="station__stale" role="status" data-testid="station-stale">
          {t('station.stale', { time: formatClock(data.fetchedAtMs) })}
        </p>
      )}
      {outbox.failed && (
        <p className="station__error" role="alert">
          {outbox.failed}
        </p>
      )}
      <main className="station__main">
        <BadgePanel station={id} view={view} queue={queue} />
        {view.stops.length > 0 && !stop && (
          <p className="station__stops" data-testid="station-stops-waiting">
            {t('station.stopsWaiting', { n: view.stops.length })}{' '}
            <button type="button" className="station__button" onClick={() => setLater(new Set())}>
              {t('station.explain')}
            </button>
          </p>
        )}
        <OrderPanel view={view} queue={queue} />
        <StationQuality view={view} />
        <section className="station__panel station__scan">
          <h2>{t('station.scan')}</h2>
          <p className="station__hint" data-testid="station-wedge-ready">
            {t('station.wedgeReady')}
          </p>
          <TypedEntry onCode={queue} />
          <CameraScan onScan={queue} />
        </section>
        <AndonPanel calls={data.calls} fetchedAtMs={data.fetchedAtMs} queue={queue} />
        <EventList events={view.events} refused={status.refused} reasonNames={reasonNames(view)} />
      </main>
      {stop && (
        <StopPrompt
          key={stop.start}
          station={id}
          stop={stop}
          view={view}
          onDone={refresh}
          onLater={() => setLater((s) => new Set([...s, stop.start]))}
        />
      )}
    </div>
  );
}

/** Every downtime and reject reason of the plant by id, for the event list. */
function reasonNames(view: StationView): Map<string, string> {
  const names = new Map<string, string>(view.reasons.reject.map((r) => [r.id, r.name]));
  const walk = (nodes: readonly ReasonNode[]) =>
    nodes.forEach((n) => {
      names.set(n.id, n.name);
      if (n.children) walk(n.children);
    });
  walk(view.reasons.downtime);
  return names;
}

function OutboxBadge({
  waiting,
  online,
  unauthorized,
}: {
  waiting: number;
  online: boolean;
  unauthorized: boolean;
}) {
  const { t } = useT();
  const text = unauthorized
    ? t('station.outboxUnauthorized', { n: waiting })
    : waiting > 0
      ? t('station.outboxWaiting', { n: waiting })
      : online
        ? t('station.outboxSent')
        : t('station.outboxOffline');
  const tone = unauthorized || (!online && waiting > 0) ? 'bad' : waiting > 0 ? 'warn' : 'ok';
  return (
    <span
      className={`station__outbox station__outbox--${tone}`}
      role="status"
      data-testid="station-outbox"
      data-waiting={waiting}
    >
      {!online && waiting > 0 ? `${t('station.outboxOffline')} ${text}` : text}
    </span>
  );
}

function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}
