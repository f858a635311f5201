import type { AlertsState } from '../lib/alerts-state';
import { andonOrder } from '../lib/alerts-state';
import { alertCatalog, alertText } from '../lib/alert-text';
import { plantClock } from '../lib/plant-time';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';

/** How many alerts fit on one wall-screen strip; the rest are counted. */
const MAX_SHOWN = 4;

/**
 * The andon: the alerts not cleared, worst first, across the board. Absent when there are
 * none, so a quiet plant keeps its whole screen for the machines.
 */
export function AndonStrip({ alerts }: { alerts: AlertsState }) {
  const { t, lang } = useT();
  const { timeZone, plant } = usePlant();
  if (alerts.size === 0) return null;
  const catalog = alertCatalog(plant);
  const ordered = andonOrder(alerts);
  const hidden = ordered.length - MAX_SHOWN;
  return (
    <section className="andon" data-testid={TEST_IDS.andon} aria-label={t('board.andon')}>
      {ordered.slice(0, MAX_SHOWN).map((a) => (
        <div
          key={a.id}
          className={`andon__alert andon__alert--${a.severity} andon__alert--${a.status}`}
          data-testid={TEST_IDS.andonAlert}
          data-alert-id={a.id}
          data-rule={a.rule}
          data-status={a.status}
        >
          <span className="andon__message">{alertText(a, lang, timeZone, catalog)}</span>
          <span className="andon__meta">
            {plantClock(Date.parse(a.openedAt), timeZone)}
            {a.acknowledgedBy ? ` · ${t('andon.ackBy', { name: a.acknowledgedBy })}` : ''}
          </span>
        </div>
      ))}
      {hidden > 0 ? <div className="andon__more">+{hidden}</div> : null}
    </section>
  );
}
