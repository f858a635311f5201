import { dateTimeFormat } from '../intl';

/**
 * Server-made text in the reader's language (docs/decisions.md, "Issue 19 — text in the
 * reader's language"). What the server stores and sends is a message: a key and parameters.
 * Whoever shows it to a person renders it, in that person's language and the plant's time
 * zone, from a catalog of templates with `{name}` placeholders.
 */

export const MESSAGE_LANGS = ['en', 'zh-CN'] as const;
export type MessageLang = (typeof MESSAGE_LANGS)[number];

/**
 * A parameter: plain text or a number as it is, or a value the renderer formats for people —
 * an instant in the plant's time zone (`12-07 04:17`), a duration (`3 h 20 min`), a percent.
 */
export type MessageParam =
  | string
  | number
  | { time: string }
  | { durationS: number }
  | { percent: number }
  | { message: Message };

export interface Message {
  key: string;
  params?: Record<string, MessageParam>;
}

/** Templates per key: English first, then Simplified Chinese. */
export type MessageCatalog = Readonly<Record<string, readonly [en: string, zh: string]>>;

export interface RenderOptions {
  /** The plant's IANA time zone (site.timeZone of the plant model). */
  timeZone: string;
  /** "Now", to add the year only to times outside the current one. Defaults to the clock. */
  now?: number;
}

/** The catalog's own check: a typo in a key is a compile error where it is written. */
export function defineMessages<C extends MessageCatalog>(catalog: C): C {
  return catalog;
}

/** The language a request asks for: `lang=` first, then Accept-Language, else English. */
export function pickLang(query?: string | null, acceptLanguage?: string | null): MessageLang {
  for (const wanted of [query, ...(acceptLanguage ?? '').split(',')]) {
    const tag = wanted?.split(';')[0]?.trim().toLowerCase();
    if (!tag) continue;
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

function zonedParts(epochMs: number, timeZone: string): Record<string, string> {
  const f = dateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(epochMs)) out[p.type] = p.value;
  return out;
}

/** `12-07 04:17` in the plant's zone; `2025-12-07 04:17` when not in the current year. */
export function formatPlantTime(epochMs: number, options: RenderOptions): string {
  const p = zonedParts(epochMs, options.timeZone);
  const thisYear = zonedParts(options.now ?? Date.now(), options.timeZone).year;
  const date = p.year === thisYear ? `${p.month}-${p.day}` : `${p.year}-${p.month}-${p.day}`;
  return `${date} ${p.hour}:${p.minute}`;
}

const DURATION_UNITS = {
  en: { s: 's', min: 'min', h: 'h', d: 'd' },
  'zh-CN': { s: '秒', min: '分钟', h: '小时', d: '天' },
} as const;

/** `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h` (zh-CN `3 小时 20 分钟`). */
export function formatDurationText(seconds: number, lang: MessageLang): string {
  const u = DURATION_UNITS[lang];
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} ${u.s}`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} ${u.min}`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} ${u.h}` : `${h} ${u.h} ${min % 60} ${u.min}`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} ${u.d}` : `${d} ${u.d} ${h % 24} ${u.h}`;
}

function formatParam(
  catalog: MessageCatalog,
  value: MessageParam,
  lang: MessageLang,
  options: RenderOptions,
): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(Math.round(value * 100) / 100);
  if ('time' in value) return formatPlantTime(Date.parse(value.time), options);
  if ('durationS' in value) return formatDurationText(value.durationS, lang);
  if ('percent' in value) return `${Math.round(value.percent * 10) / 10} %`;
  return renderMessage(catalog, value.message, lang, options);
}

/**
 * The message in `lang`. An unknown key renders as the key itself with its parameters, so
 * a message stored by a newer version still says something (and a test can catch it).
 */
export function renderMessage(
  catalog: MessageCatalog,
  message: Message,
  lang: MessageLang,
  options: RenderOptions,
): string {
  const templates = catalog[message.key];
  const params = message.params ?? {};
  if (!templates) {
    const shown = Object.entries(params).map(
      ([name, v]) => `${name}=${formatParam(catalog, v, lang, options)}`,
    );
    return [message.key, ...shown].join(' ');
  }
  const template = lang === 'zh-CN' ? templates[1] : templates[0];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : formatParam(catalog, value, lang, options);
  });
}

/** Problems with a catalog: placeholders that differ between the two languages. */
export function catalogProblems(catalog: MessageCatalog): string[] {
  const names = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const problems: string[] = [];
  for (const [key, [en, zh]] of Object.entries(catalog)) {
    if (!en || !zh) problems.push(`${key}: a language is empty`);
    else if (names(en).join(',') !== names(zh).join(','))
      problems.push(`${key}: placeholders differ (${names(en)} vs ${names(zh)})`);
  }
  return problems;
}
