import type { StationCalls } from '@takt/protocol/api';
import { useT } from '../i18n';
import { formatDuration } from '../lib/format';
import { useNow } from '../live/use-now';

/**
 * One button per andon call of the plant (the station's `GET …/andon`): a tap queues
 * `ANDON:<call>`, which opens an alert of kind `andon`; under it the call's state, polled
 * every 2 s (use-station.ts): called → acknowledged by whom → cleared, with the waiting time.
 */
export function AndonPanel({
  calls,
  fetchedAtMs,
  queue,
}: {
  calls: StationCalls | null;
  fetchedAtMs: number;
  queue: (code: string) => void;
}) {
  const { t, lang } = useT();
  const now = useNow();
  if (!calls) return null;
  return (
    <section className="station__panel station__andon" data-testid="station-andon">
      <h2>{t('station.andon')}</h2>
      {calls.calls.length === 0 && <p className="station__hint">{t('station.andonNone')}</p>}
      <div className="station__andon-calls">
        {calls.calls.map((call) => {
          const label = call.label[lang] ?? call.label.en ?? call.name ?? call.call;
          // The waiting time moves on between polls.
          const waiting =
            call.waitingMs === null
              ? null
              : formatDuration(call.waitingMs + Math.max(0, now - fetchedAtMs), lang);
          const state =
            call.state === 'called'
              ? t('station.andon.called', { waiting: waiting ?? '' })
              : call.state === 'acknowledged'
                ? t('station.andon.acknowledged', {
                    name: call.acknowledgedBy ?? '?',
                    waiting: waiting ?? '',
                  })
                : call.state === 'cleared-recently'
                  ? t('station.andon.cleared')
                  : t('station.andon.idle');
          return (
            <button
              key={call.call}
              type="button"
              className={`station__andon-call station__andon-call--${call.state} station__andon-call--${call.severity}`}
              data-testid="station-andon-call"
              data-call={call.call}
              data-state={call.state}
              disabled={call.state === 'called' || call.state === 'acknowledged'}
              onClick={() => queue(`ANDON:${call.call}`)}
            >
              <span className="station__andon-label">{label}</span>
              <span className="station__andon-state" data-testid="station-andon-state">
                {state}
              </span>
            </button>
          );
        })}
      </div>
    </section>
  );
}
