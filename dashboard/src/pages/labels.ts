import { MESSAGE_KEYS, type MessageKey, type Vars } from '../i18n';

const KNOWN: ReadonlySet<string> = new Set(MESSAGE_KEYS);

/**
 * The label for a value the server sends (a state, a status, a scan action) when the catalog
 * has one, else the value as sent: a new value never breaks the page.
 */
export function labelOf(
  t: (key: MessageKey, vars?: Vars) => string,
  prefix: string,
  value: string,
): string {
  const key = `${prefix}.${value}`;
  return KNOWN.has(key) ? t(key as MessageKey) : value;
}
