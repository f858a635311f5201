import {
  SERVER_MESSAGES,
  pickLang,
  renderMessage,
  type Message,
  type MessageLang,
  type MessageParam,
} from '@takt/protocol';

/** Who reads an answer: their language and the plant's time zone. */
export interface Reader {
  lang: MessageLang;
  timeZone: string;
}

/** The reader of a request: `lang=`, then Accept-Language, else English (`pickLang`). */
export function readerOf(
  request: { query?: unknown; headers: Record<string, string | string[] | undefined> },
  timeZone: string,
): Reader {
  const { lang } = (request.query ?? {}) as { lang?: string };
  const accept = request.headers['accept-language'];
  return { lang: pickLang(lang, Array.isArray(accept) ? accept[0] : accept), timeZone };
}

/**
 * A stored refusal's message (docs/decisions.md, "Issue 19 — refusals and stop labels in the
 * reader's language"): its key and parameters, or, for a row stored before, its English
 * sentence as `legacy.text`. Null when the detail has neither.
 */
export function storedMessage(detail: Record<string, unknown> | null): Message | null {
  const d = detail ?? {};
  if (typeof d.messageKey === 'string')
    return {
      key: d.messageKey,
      params: (d.messageParams as Record<string, MessageParam> | undefined) ?? {},
    };
  if (typeof d.reason === 'string') return { key: 'legacy.text', params: { text: d.reason } };
  return null;
}

/** The message in the reader's language, with its key and parameters for a screen. */
export function rendered(message: Message, reader: Reader) {
  return {
    message: renderMessage(SERVER_MESSAGES, message, reader.lang, { timeZone: reader.timeZone }),
    messageKey: message.key,
    messageParams: message.params ?? {},
  };
}

/** The plant's time zone: the loaded model's, else the first site's, else UTC. */
export async function plantTimeZone(
  pool: { query: <R>(sql: string) => Promise<{ rows: R[] }> },
  plant: { site: { timeZone: string } } | undefined,
): Promise<string> {
  if (plant) return plant.site.timeZone;
  const { rows } = await pool.query<{ time_zone: string }>(
    'SELECT time_zone FROM sites ORDER BY id LIMIT 1',
  );
  return rows[0]?.time_zone ?? 'UTC';
}

/**
 * A history event's text fields: a refused scan's reason in the reader's language, with its
 * key and parameters; null for other events (their words are the screen's).
 */
export function eventText(kind: string, detail: Record<string, unknown> | null, reader: Reader) {
  const message = kind === 'refused' ? storedMessage(detail) : null;
  return message
    ? rendered(message, reader)
    : { message: null, messageKey: null, messageParams: null };
}
