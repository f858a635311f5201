import type { StationView } from '@takt/protocol/api';
import { useMemo, useState } from 'react';
import { useT } from '../i18n';
import { formatClock, formatDuration } from '../lib/format';
import { reasonChoices, type ReasonChoice } from './reason-tree';
import { postStopReason } from './station-api';

type Stop = StationView['stops'][number];

/**
 * "Why did it stop?": the reason tree in two taps (a group, then its reason; a group without
 * reasons is the answer itself), most used first. The answer names the stop by its start, so
 * it goes to that stop even when the machine runs again (docs/decisions.md "Issue 17").
 */
export function StopPrompt({
  station,
  stop,
  view,
  onDone,
  onLater,
}: {
  station: string;
  stop: Stop;
  view: StationView;
  onDone: () => void;
  onLater: () => void;
}) {
  const { t, lang } = useT();
  const choices = useMemo(
    () => reasonChoices(view.reasons.downtime, view.reasons.uses),
    [view.reasons],
  );
  const [group, setGroup] = useState<ReasonChoice | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const answer = async (reason: string) => {
    setBusy(true);
    setError(null);
    const result = await postStopReason(station, stop.start, reason);
    setBusy(false);
    if (result.ok) onDone();
    else setError(result.message);
  };
  const start = Date.parse(stop.start);
  const shown = group?.children ?? choices;
  return (
    <div
      className="station__overlay"
      role="dialog"
      aria-modal="true"
      data-testid="station-stop-prompt"
      data-stop={stop.start}
    >
      <div className="station__dialog">
        <h2>{t('station.stopTitle')}</h2>
        <p className="station__hint">
          {stop.end
            ? t('station.stopAt', {
                time: formatClock(start),
                duration: formatDuration(stop.durationMs, lang),
              })
            : t('station.stopStill', {
                time: formatClock(start),
                duration: formatDuration(stop.durationMs, lang),
              })}
        </p>
        <div className="station__choices" data-level={group ? 'reason' : 'group'}>
          {shown.map((c) => (
            <button
              key={c.id}
              type="button"
              className="station__button station__button--choice"
              data-testid={group ? 'station-stop-reason' : 'station-stop-group'}
              data-reason={c.id}
              disabled={busy}
              onClick={() => (c.children ? setGroup(c) : void answer(c.id))}
            >
              {c.name}
            </button>
          ))}
        </div>
        {error && (
          <p className="station__error" role="alert">
            {t('station.stopError', { reason: error })}
          </p>
        )}
        <div className="station__dialog-foot">
          {group && (
            <button type="button" className="station__button" onClick={() => setGroup(null)}>
              {t('station.stopBack')}
            </button>
          )}
          <button
            type="button"
            className="station__button"
            data-testid="station-stop-later"
            onClick={onLater}
          >
            {t('station.stopLater')}
          </button>
        </div>
      </div>
    </div>
  );
}
