import {
  channelLang,
  renderMessage,
  SERVER_MESSAGES,
  type AlertChannel,
  type WebhookChannel,
} from '@takt/protocol';
import { escapeMarkdown, escapeSlack } from './formats';

/**
 * The word every chat message of Takt contains, so a DingTalk robot's keyword option can
 * name it (docs/config-reference.md, `alerts.channels`).
 */
export const TAKT_KEYWORD = 'Takt';

/** WeCom group robot limits: markdown.content 4096 bytes, text.content 2048 bytes (UTF-8). */
export const WECOM_MARKDOWN_BYTES = 4096;
export const WECOM_TEXT_BYTES = 2048;

/**
 * `text` cut to at most `maxBytes` of UTF-8 on a character boundary (whole code points, so
 * no emoji or CJK character is split), ending with "…" when cut, and without a half HTML
 * entity (`&am`) at the end.
 */
export function cutUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  const room = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > room) break;
    used += size;
    out += ch;
  }
  return out.replace(/&[#\w]{0,8}$/, '') + ellipsis;
}

/** DingTalk robot markdown; mentioned mobiles in `at.atMobiles` and as `@mobile` in the text. */
export function dingtalkMarkdown(title: string, text: string, mentions: readonly string[]) {
  const at = mentions.length > 0 ? `\n\n${mentions.map((m) => `@${m}`).join(' ')}` : '';
  return {
    msgtype: 'markdown',
    markdown: { title, text: `${text}\n\n###### ${TAKT_KEYWORD}${at}` },
    at: { atMobiles: [...mentions], isAtAll: false },
  };
}

/**
 * WeCom robot markdown renders headings, bold, links, inline code, `>` quotes and
 * `<font color="info|comment|warning">`, not lists or tables: the title as a heading in the
 * warning colour, each fact as a quoted line.
 */
export function wecomMarkdown(title: string, facts: readonly [string, string][]): string {
  return [
    `### <font color="warning">${escapeMarkdown(title)}</font>`,
    ...facts.map(([k, v]) => `> **${escapeMarkdown(k)}**: ${escapeMarkdown(v)}`),
    `<font color="comment">${TAKT_KEYWORD}</font>`,
  ].join('\n');
}

/**
 * WeCom body: markdown cut at 4096 bytes; when someone is paged, a text message with
 * `mentioned_mobile_list` instead, since WeCom markdown cannot mention by mobile
 * (docs/decisions.md "Issue 19 — deliveries people can rely on").
 */
export function wecomBody(markdown: string, text: string, mentions: readonly string[]) {
  if (mentions.length === 0)
    return { msgtype: 'markdown', markdown: { content: cutUtf8(markdown, WECOM_MARKDOWN_BYTES) } };
  return {
    msgtype: 'text',
    text: {
      content: cutUtf8(`${text}\n${TAKT_KEYWORD}`, WECOM_TEXT_BYTES),
      mentioned_mobile_list: [...mentions],
    },
  };
}

/** Teams (Workflows / incoming webhook): a message with one Adaptive Card attachment. */
export function teamsCard(title: string, facts: readonly [string, string][]) {
  const content = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'FactSet', facts: facts.map(([k, v]) => ({ title: k, value: v })) },
    ],
  };
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content },
    ],
  };
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The HTML part of an e-mail notice: the title and a table of the facts. */
export function mailHtml(title: string, facts: readonly [string, string][]): string {
  const rows = facts
    .map(
      ([k, v]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><body><h2>${escapeHtml(title)}</h2><table>${rows}</table><p style="color:#888">${TAKT_KEYWORD}</p></body></html>`;
}

/** Notice lines one digest lists; the rest are counted. */
export const DIGEST_LINES = 30;

export interface DigestText {
  title: string;
  lines: string[];
}

/** The digest's title and lines in the channel's language. */
export function digestText(channel: AlertChannel, titles: readonly string[]): DigestText {
  const lang = channelLang(channel);
  const say = (key: string, count: number) =>
    renderMessage(SERVER_MESSAGES, { key, params: { count } }, lang, { timeZone: 'UTC' });
  const lines = titles.slice(0, DIGEST_LINES);
  if (titles.length > DIGEST_LINES)
    lines.push(say('delivery.digest.more', titles.length - DIGEST_LINES));
  return { title: say('delivery.digest.title', titles.length), lines };
}

/** One webhook message carrying many notices, in the channel's format. */
export function digestWebhookBody(
  channel: WebhookChannel,
  digest: DigestText,
  mentions: readonly string[],
): string {
  const { title, lines } = digest;
  switch (channel.format) {
    case 'dingtalk': {
      const text = [`### ${escapeMarkdown(title)}`, ...lines.map((l) => `- ${escapeMarkdown(l)}`)];
      return JSON.stringify(dingtalkMarkdown(title, text.join('\n'), mentions));
    }
    case 'wecom': {
      const markdown = [
        `### <font color="warning">${escapeMarkdown(title)}</font>`,
        ...lines.map((l) => `> ${escapeMarkdown(l)}`),
      ].join('\n');
      return JSON.stringify(wecomBody(markdown, [title, ...lines].join('\n'), mentions));
    }
    case 'slack': {
      const text = cutUtf8(lines.map((l) => `• ${escapeSlack(l)}`).join('\n'), 2900);
      return JSON.stringify({
        text: escapeSlack(title),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
          { type: 'section', text: { type: 'mrkdwn', text } },
        ],
      });
    }
    case 'teams':
      return JSON.stringify(
        teamsCard(
          title,
          lines.map((l, i) => [String(i + 1), l]),
        ),
      );
    default:
      return JSON.stringify({ type: 'takt.digest', title, notices: lines });
  }
}

/**
 * What the queue stores and sends for a notice (delivery/queue.ts), built for its channel
 * when queued. A webhook's body is signed when it leaves; an e-mail's Message-ID is the
 * row's unless the notice names one (an alert's first notice starts its thread).
 */
export type Payload =
  | { type: 'webhook'; body: string; headers?: Record<string, string> }
  | {
      type: 'mail';
      subject: string;
      text: string;
      html: string;
      headers?: Record<string, string>;
      messageId?: string;
      /** The thread's first message: In-Reply-To and References. */
      inReplyTo?: string;
      /** Files sent with the mail (a report's inline chart), at most MAIL_ATTACHMENT_BYTES each. */
      attachments?: MailAttachment[];
    };

/**
 * Largest attachment a queued mail carries: the payload is stored as JSON in
 * `alert_deliveries`, so the bytes go base64 (4/3 the size) in the row
 * (docs/decisions.md "Issue 19 — reports through the channel queue; the monthly page").
 */
export const MAIL_ATTACHMENT_BYTES = 2 * 1024 * 1024;

export interface MailAttachment {
  filename: string;
  contentType: string;
  /** Content-ID, for HTML showing it inline by `cid:`. */
  cid?: string;
  /** The bytes, base64. */
  base64: string;
}

/**
 * Events whose notices leave whole, never shortened to a title line in a digest
 * (channel-worker.ts): a report
 * (`shift-report`, `daily-report`) is its content. A digest of alerts goes first and the
 * report takes a later send of the window.
 */
export const digestible = (event: string): boolean => !event.endsWith('-report');

/** A digest of many notices as one payload for the channel. */
export function digestPayload(
  channel: AlertChannel,
  titles: readonly string[],
  mentions: readonly string[],
): Payload {
  const digest = digestText(channel, titles);
  if (channel.type === 'webhook')
    return { type: 'webhook', body: digestWebhookBody(channel, digest, mentions) };
  return {
    type: 'mail',
    subject: digest.title,
    text: [digest.title, ...digest.lines].join('\n'),
    html: mailHtml(
      digest.title,
      digest.lines.map((l, i) => [String(i + 1), l]),
    ),
  };
}
