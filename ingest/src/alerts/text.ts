import {
  andonLabels,
  pickLang,
  renderMessage,
  SERVER_MESSAGES,
  type AlertRule,
  type Message,
  type MessageCatalog,
  type MessageLang,
} from '@takt/protocol';

/**
 * How alert text is rendered for one reader (docs/decisions.md "Issue 19 — alerts in the
 * reader's language"): the language, the plant's time zone, and the catalog — the server's
 * plus the plant's own words (andon labels).
 */
export interface AlertText {
  lang: MessageLang;
  timeZone: string;
  catalog: MessageCatalog;
}

export function alertText(
  lang: MessageLang,
  timeZone: string,
  rules: readonly AlertRule[],
): AlertText {
  return { lang, timeZone, catalog: { ...SERVER_MESSAGES, ...andonLabels(rules) } };
}

/** The language of a request (`lang=` query, then Accept-Language). */
export function requestLang(request: {
  query?: unknown;
  headers: Record<string, string | string[] | undefined>;
}): MessageLang {
  const query = (request.query ?? {}) as { lang?: unknown };
  const accept = request.headers['accept-language'];
  return pickLang(
    typeof query.lang === 'string' ? query.lang : null,
    typeof accept === 'string' ? accept : null,
  );
}

export const renderAlertText = (message: Message, text: AlertText, now?: number): string =>
  renderMessage(text.catalog, message, text.lang, {
    timeZone: text.timeZone,
    ...(now !== undefined ? { now } : {}),
  });
