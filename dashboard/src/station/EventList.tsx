import { REFUSAL_CODES, type StationEvent } from '@takt/protocol/api';
import { SERVER_MESSAGES, renderMessage, type Message } from '@takt/protocol/messages';
import { useT, type MessageKey } from '../i18n';
import { formatClock } from '../lib/format';
import type { OutboxStatus } from './outbox';

const ACTIONS = new Set([
  'start',
  'resume',
  'pause',
  'complete',
  'login',
  'logout',
  'reason',
  'andon',
  'good',
  'reject',
]);

/**
 * The server's message of an event in the screen's language (docs/decisions.md, "Issue 19 —
 * refusals and stop labels in the reader's language"): rendered from its key when this
 * screen's catalog knows it, else the server's own text. Times in the browser's zone, as the
 * list's clock.
 */
function serverText(e: StationEvent, lang: 'en' | 'zh-CN'): string | null {
  if (e.messageKey && SERVER_MESSAGES[e.messageKey]) {
    const message = { key: e.messageKey, params: e.messageParams ?? {} } as Message;
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return renderMessage(SERVER_MESSAGES, message, lang, { timeZone });
  }
  return e.message;
}

/** The last 20 events at the station, newest first; a refusal in the screen's language. */
export function EventList({
  events,
  refused,
  reasonNames,
}: {
  events: readonly StationEvent[];
  refused: OutboxStatus['refused'];
  /** Stop and reject reason ids -> the plant's names. */
  reasonNames: ReadonlyMap<string, string>;
}) {
  const { t, lang } = useT();
  const text = (e: StationEvent): string => {
    const subject = [e.workOrder, e.operation, e.operator ? `E${e.operator}` : null]
      .filter(Boolean)
      .join(' · ');
    switch (e.kind) {
      case 'refused': {
        // The station's short word for the code, then what exactly was wrong.
        const known = (REFUSAL_CODES as readonly (string | null)[]).includes(e.refusal);
        const detail = serverText(e, lang);
        const short = known ? t(`refusal.${e.refusal}` as MessageKey) : null;
        const message =
          short && detail ? `${short} (${detail})` : (short ?? detail ?? t('refusal.other'));
        return t('station.event.refused', { code: e.code ?? '', message });
      }
      case 'count':
        return t('station.event.count', { good: e.good ?? 0, rejected: e.rejected ?? 0, subject });
      case 'reason':
        return t('station.event.reason', {
          reason: reasonNames.get(e.reason ?? '') ?? e.reason ?? '',
        });
      case 'correction':
        return t('station.event.correction', { message: serverText(e, lang) ?? '' });
      default: {
        const action = (e.action ?? '').toLowerCase();
        const label = ACTIONS.has(action)
          ? t(`station.action.${action}` as MessageKey)
          : (e.action ?? e.code ?? '');
        return t('station.event.scan', { action: label, subject: subject || (e.code ?? '') });
      }
    }
  };
  return (
    <section className="station__panel station__events">
      <h2>{t('station.events')}</h2>
      {refused.length > 0 && (
        <ul className="station__event-list">
          {refused.map((r) => (
            <li
              key={r.action.seq}
              className="station__event station__event--refused"
              data-testid="station-outbox-refused"
            >
              {t('station.outboxRefused', { code: r.action.code, message: r.message })}
            </li>
          ))}
        </ul>
      )}
      {events.length === 0 ? (
        <p className="station__hint">{t('station.noEvents')}</p>
      ) : (
        <ol className="station__event-list" data-testid="station-events">
          {events.map((e, i) => (
            <li
              key={`${e.at}-${i}`}
              className={`station__event station__event--${e.kind}`}
              data-testid="station-event"
              data-kind={e.kind}
              data-refusal={e.refusal ?? undefined}
              data-code={e.code ?? undefined}
            >
              <time>{formatClock(Date.parse(e.at))}</time> {text(e)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
