import { createHmac } from 'node:crypto';
import {
  channelLang,
  renderMessage,
  SERVER_MESSAGES,
  type Message,
  type MessageCatalog,
  type MessageLang,
  type WebhookChannel,
} from '@takt/protocol';
import type { AlertEffectKind } from '../engine';
import type { alertJson } from '../store';
import { dingtalkMarkdown, teamsCard, wecomBody, wecomMarkdown } from './payloads';

/** What a channel is told about an alert. */
export interface AlertNotice {
  event: Exclude<AlertEffectKind, 'acknowledged'>;
  site: string;
  ruleName: string;
  alert: ReturnType<typeof alertJson>;
  /** When it happened, ISO. */
  at: string;
  /** The plant's time zone, for the times in the text (UTC without one). */
  timeZone?: string;
  /** The plant's own words the alert's message names (an andon rule's label). */
  labels?: MessageCatalog;
  /** Mobile numbers of the on-call roster to @mention (protocol/src/config/alerts.ts `onCall`). */
  mentions?: string[];
}

// --- Text in the channel's language (docs/decisions.md "Issue 19 — alerts in the reader's
// language"): the alert's message, words and times rendered with the shared catalog.
function say(n: AlertNotice, lang: MessageLang, message: Message): string {
  const catalog = n.labels ? { ...SERVER_MESSAGES, ...n.labels } : SERVER_MESSAGES;
  return renderMessage(catalog, message, lang, { timeZone: n.timeZone ?? 'UTC' });
}
const alertMessage = (n: AlertNotice, lang: MessageLang) =>
  say(n, lang, {
    key: n.alert.messageKey,
    params: n.alert.messageParams as NonNullable<Message['params']>,
  });
const sayTime = (n: AlertNotice, lang: MessageLang, iso: string | null) =>
  iso === null ? '' : say(n, lang, { key: 'legacy.text', params: { text: { time: iso } } });
const words = (n: AlertNotice, lang: MessageLang, key: string) => say(n, lang, { key });
// --- end of text in the channel's language.

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function noticeTitle(n: AlertNotice, lang: MessageLang = 'en'): string {
  const severity = words(n, lang, `notice.severity.${n.alert.severity}`);
  return `[${severity}] ${words(n, lang, `notice.${n.event}`)}: ${alertMessage(n, lang)}`;
}

/** Name / value lines of a notice, in the order a person reads them. */
export function noticeFacts(n: AlertNotice, lang: MessageLang = 'en'): [string, string][] {
  const w = (key: string) => words(n, lang, key);
  const facts: [string, string][] = [
    [w('notice.rule'), n.ruleName],
    [w('notice.subject'), n.alert.subject],
    [w('notice.site'), n.site],
    [w('notice.opened-at'), sayTime(n, lang, n.alert.openedAt)],
  ];
  if (n.alert.acknowledgedBy)
    facts.push([
      w('notice.acknowledged'),
      `${n.alert.acknowledgedBy}${n.alert.ackComment ? `: ${n.alert.ackComment}` : ''}`,
    ]);
  if (n.event === 'cleared')
    facts.push([
      w('notice.cleared-at'),
      say(n, lang, {
        key: 'notice.cleared-by',
        params: {
          time: n.alert.clearedAt === null ? '' : { time: n.alert.clearedAt },
          by: n.alert.clearedBy ?? '',
        },
      }),
    ]);
  facts.push([w('notice.alert-id'), String(n.alert.id)]);
  return facts;
}

export function noticeText(n: AlertNotice, lang: MessageLang = 'en'): string {
  return [noticeTitle(n, lang), ...noticeFacts(n, lang).map(([k, v]) => `${k}: ${v}`)].join('\n');
}

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text);

/**
 * Slack mrkdwn: the three characters Slack's message formatting asks senders to escape, so
 * text from people (an acknowledgement comment, a machine name) cannot write `<!channel>`,
 * `<@U123>` or a `<url|link>`.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Markdown of DingTalk and WeCom robots: one line (no heading, list or quote can start), a
 * backslash before what makes emphasis, code and links, and `<` `>` as entities (WeCom's
 * `<@userid>` mention and `<font>` tag, HTML).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_~[\]()]/g, '\\$&')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const markdown = (n: AlertNotice, lang: MessageLang) =>
  [
    `### ${escapeMarkdown(noticeTitle(n, lang))}`,
    ...noticeFacts(n, lang).map(([k, v]) => `- **${k}**: ${escapeMarkdown(v)}`),
  ].join('\n');

/**
 * The JSON body a webhook channel is sent for a notice, in its format: built when the notice
 * is queued and stored with it (delivery/queue.ts), signed when it is sent (`signedRequest`).
 */
export function webhookBody(channel: WebhookChannel, notice: AlertNotice): string {
  const lang = channelLang(channel);
  const title = noticeTitle(notice, lang);
  switch (channel.format) {
    case 'dingtalk':
      // DingTalk custom robot: msgtype markdown { title, text }, @mentions in `at` and as
      // `@mobile` in the text (DingTalk requires both); "Takt" always in the text for a
      // robot's keyword option (delivery/payloads.ts).
      return JSON.stringify(dingtalkMarkdown(title, markdown(notice, lang), notice.mentions ?? []));
    case 'wecom':
      // WeCom group robot: markdown, or text when someone is paged (payloads.ts `wecomBody`).
      return JSON.stringify(
        wecomBody(
          wecomMarkdown(title, noticeFacts(notice, lang)),
          noticeText(notice, lang),
          notice.mentions ?? [],
        ),
      );
    case 'slack': {
      // Slack incoming webhook: `text` is the notification fallback, blocks the message.
      // Every text from data is escaped: `text` and mrkdwn are parsed for mentions.
      const facts = noticeFacts(notice, lang)
        .map(([k, v]) => `*${k}*: ${escapeSlack(v)}`)
        .join('\n');
      const blocks = [
        { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: facts } },
      ];
      return JSON.stringify({ text: escapeSlack(title), blocks });
    }
    case 'teams':
      return JSON.stringify(teamsCard(title, noticeFacts(notice, lang)));
    default:
      return JSON.stringify({ type: 'takt.alert', ...notice });
  }
}

/** The HTTP request for a webhook channel, in its format, signed (see `signedRequest`). */
export function webhookRequest(
  channel: WebhookChannel,
  url: string,
  secret: string | undefined,
  notice: AlertNotice,
  now: number,
  deliveryId: number,
): HttpRequest {
  return signedRequest(channel, url, secret, webhookBody(channel, notice), now, deliveryId, {
    'x-takt-event': notice.event,
  });
}

/**
 * Signing at send time: `generic` sends `X-Takt-Signature: sha256=<hex HMAC-SHA256(secret,
 * "<timestamp>.<body>")>` with `X-Takt-Timestamp`; `dingtalk` adds `timestamp` and `sign` =
 * Base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")) to the query, as DingTalk's custom
 * robot documents (the timestamp must be within an hour of DingTalk's clock, so a queued
 * notice is signed when it leaves, not when it was queued).
 */
export function signedRequest(
  channel: WebhookChannel,
  url: string,
  secret: string | undefined,
  body: string,
  now: number,
  deliveryId: number,
  genericHeaders: Record<string, string> = {},
): HttpRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (channel.format === 'dingtalk') {
    if (!secret) return { url, headers, body };
    const sign = hmac(secret, `${now}\n${secret}`).digest('base64');
    const signed = new URL(url);
    signed.searchParams.set('timestamp', String(now));
    signed.searchParams.set('sign', sign);
    return { url: signed.toString(), headers, body };
  }
  if (channel.format !== 'generic') return { url, headers, body };
  Object.assign(headers, genericHeaders);
  headers['x-takt-delivery'] = String(deliveryId);
  if (secret) {
    headers['x-takt-timestamp'] = String(now);
    headers['x-takt-signature'] = `sha256=${hmac(secret, `${now}.${body}`).digest('hex')}`;
  }
  return { url, headers, body };
}
