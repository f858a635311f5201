import type { AlertItem } from '@takt/protocol/alerts';
import {
  andonLabels,
  renderMessage,
  SERVER_MESSAGES,
  type Message,
  type MessageCatalog,
  type MessageLang,
} from '@takt/protocol/messages';
import type { PlantModel } from '../plant/plant-model';

/**
 * The catalog a screen renders alerts with: the server's (protocol/src/messages/) and the
 * plant's own words (andon labels from the plant model's rules).
 */
export function alertCatalog(plant: PlantModel | null): MessageCatalog {
  const rules = plant?.alerts?.rules ?? [];
  return rules.length > 0 ? { ...SERVER_MESSAGES, ...andonLabels(rules) } : SERVER_MESSAGES;
}

/** Keys a message names, nested ones too. */
function keysOf(message: Message): string[] {
  const nested = Object.values(message.params ?? {}).flatMap((p) =>
    typeof p === 'object' && p !== null && 'message' in p ? keysOf(p.message) : [],
  );
  return [message.key, ...nested];
}

/**
 * An alert's text in the screen's language and the plant's time zone (docs/decisions.md
 * "Issue 19 — alerts in the reader's language"), rendered from its key and parameters. A
 * key this screen's catalog does not know (a newer server) shows the server's own rendering.
 */
export function alertText(
  alert: Pick<AlertItem, 'message' | 'messageKey' | 'messageParams'>,
  lang: MessageLang,
  timeZone: string,
  catalog: MessageCatalog = SERVER_MESSAGES,
  now?: number,
): string {
  const message = {
    key: alert.messageKey,
    params: alert.messageParams as NonNullable<Message['params']>,
  };
  if (!alert.messageKey || keysOf(message).some((k) => catalog[k] === undefined))
    return alert.message;
  return renderMessage(catalog, message, lang, { timeZone, ...(now !== undefined ? { now } : {}) });
}
