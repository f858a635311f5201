/**
 * A report as each channel takes it (docs/decisions.md "Issue 19 — reports that come to
 * people"): pure functions from the rendered report to HTTP bodies or a mail. DingTalk's and
 * WeCom's robot markdown has no tables, so the key table goes as one line per machine there;
 * Slack gets it as a monospaced block, Teams as an Adaptive Card Table, e-mail as HTML.
 */
import { createHash } from 'node:crypto';
import type { MessageLang, PlantModel } from '@takt/protocol';
import { escapeMarkdown, escapeSlack } from '../alerts/delivery/formats';
import { cutUtf8, WECOM_MARKDOWN_BYTES } from '../alerts/delivery/payloads';
import {
  lateLines,
  reportTable,
  reportTitle,
  reportWindow,
  stopLine,
  text,
  type ReportContent,
} from './content';

/** A report drawn in one language, with its image and where the image can be fetched. */
export interface RenderedReport {
  content: ReportContent;
  lang: MessageLang;
  plant: PlantModel | undefined;
  png: Buffer;
  /** The signed URL of the image; undefined without TAKT_PUBLIC_URL. */
  imageUrl: string | undefined;
  now: number;
}

/** WeCom robot limit for an image: at most 2 MB (its markdown limit: delivery/payloads.ts). */
export const WECOM_IMAGE_BYTES = 2 * 1024 * 1024;

interface Parts {
  title: string;
  window: string;
  head: string[];
  rows: string[][];
  stops: string[];
  late: string[];
  t: (key: string) => string;
}

function partsOf(r: RenderedReport): Parts {
  const t = (key: string) => text({ key }, r.lang);
  const table = reportTable(r.content, r.lang);
  const stops = r.content.stops.map((s) => stopLine(r.plant, s, r.lang));
  return {
    title: reportTitle(r.content, r.lang),
    window: reportWindow(r.content, r.lang, r.now),
    head: table.head,
    rows: table.rows,
    stops: stops.length ? stops : [t('report.stops.none')],
    late: r.content.late.length ? lateLines(r.content, r.lang, r.now) : [t('report.late.none')],
    t,
  };
}

/** Robot markdown (DingTalk, WeCom): headings, bold and lists; every data text escaped. */
function robotMarkdown(p: Parts, image: string | undefined): string {
  const row = (cells: string[]) =>
    `- **${escapeMarkdown(cells[0]!)}**: ${cells
      .slice(1)
      .map((c, i) => `${escapeMarkdown(p.head[i + 1]!)} ${escapeMarkdown(c)}`)
      .join(' · ')}`;
  return [
    `### ${escapeMarkdown(p.title)}`,
    escapeMarkdown(p.window),
    ...(image ? [`![${escapeMarkdown(p.t('report.image'))}](${image})`] : []),
    ...p.rows.map(row),
    `#### ${escapeMarkdown(p.t('report.chart.stops'))}`,
    ...p.stops.map((s) => `- ${escapeMarkdown(s)}`),
    `#### ${escapeMarkdown(p.t('report.late.title'))}`,
    ...p.late.map((s) => `- ${escapeMarkdown(s)}`),
  ].join('\n');
}

/** Columns padded to their widest cell (CJK letters count twice, as a terminal shows them). */
function monospaced(head: string[], rows: string[][]): string {
  const width = (s: string) => [...s].reduce((n, c) => n + (/[\u1100-\uffff]/.test(c) ? 2 : 1), 0);
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  return all
    .map((r) => r.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join('  '))
    .join('\n');
}

/** The JSON bodies to POST to a webhook channel of this format, in order. */
export function reportBodies(format: string, r: RenderedReport): object[] {
  const p = partsOf(r);
  switch (format) {
    case 'dingtalk':
      // DingTalk custom robot: markdown { title, text }; an image only by URL.
      return [
        { msgtype: 'markdown', markdown: { title: p.title, text: robotMarkdown(p, r.imageUrl) } },
      ];
    case 'wecom': {
      // WeCom group robot: the image itself (base64 and its MD5, at most 2 MB), then markdown.
      const image =
        r.png.length <= WECOM_IMAGE_BYTES
          ? [
              {
                msgtype: 'image',
                image: {
                  base64: r.png.toString('base64'),
                  md5: createHash('md5').update(r.png).digest('hex'),
                },
              },
            ]
          : [];
      const content = cutUtf8(robotMarkdown(p, undefined), WECOM_MARKDOWN_BYTES);
      return [...image, { msgtype: 'markdown', markdown: { content } }];
    }
    case 'slack': {
      const code = escapeSlack(monospaced(p.head, p.rows));
      const blocks = [
        { type: 'header', text: { type: 'plain_text', text: p.title.slice(0, 150) } },
        { type: 'context', elements: [{ type: 'plain_text', text: p.window }] },
        ...(r.imageUrl
          ? [{ type: 'image', image_url: r.imageUrl, alt_text: p.title.slice(0, 2000) }]
          : []),
        { type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${code}\`\`\`` } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: [
              `*${escapeSlack(p.t('report.chart.stops'))}*`,
              ...p.stops.map((s) => `• ${escapeSlack(s)}`),
              `*${escapeSlack(p.t('report.late.title'))}*`,
              ...p.late.map((s) => `• ${escapeSlack(s)}`),
            ].join('\n'),
          },
        },
      ];
      return [{ text: escapeSlack(p.title), blocks }];
    }
    case 'teams': {
      const cells = (row: string[], bold = false) => ({
        type: 'TableRow',
        cells: row.map((c) => ({
          type: 'TableCell',
          items: [
            { type: 'TextBlock', text: c, wrap: true, ...(bold ? { weight: 'Bolder' } : {}) },
          ],
        })),
      });
      const list = (title: string, lines: string[]) => [
        { type: 'TextBlock', text: title, weight: 'Bolder', spacing: 'Medium' },
        ...lines.map((l) => ({ type: 'TextBlock', text: l, wrap: true, spacing: 'None' })),
      ];
      const content = {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.5',
        body: [
          { type: 'TextBlock', text: p.title, weight: 'Bolder', size: 'Medium', wrap: true },
          { type: 'TextBlock', text: p.window, isSubtle: true, spacing: 'None' },
          ...(r.imageUrl ? [{ type: 'Image', url: r.imageUrl, altText: p.title }] : []),
          {
            type: 'Table',
            firstRowAsHeaders: true,
            columns: p.head.map(() => ({ width: 1 })),
            rows: [cells(p.head, true), ...p.rows.map((row) => cells(row))],
          },
          ...list(p.t('report.chart.stops'), p.stops),
          ...list(p.t('report.late.title'), p.late),
        ],
      };
      return [
        {
          type: 'message',
          attachments: [
            { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content },
          ],
        },
      ];
    }
    default:
      return [
        {
          type: 'takt.report',
          kind: r.content.period.kind,
          site: r.content.site.id,
          date: r.content.period.date,
          shift: r.content.period.shift,
          lang: r.lang,
          title: p.title,
          imageUrl: r.imageUrl ?? null,
          table: { head: p.head, rows: p.rows },
        },
      ];
  }
}

const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The cid the mail's HTML shows the inline PNG by. */
export const MAIL_IMAGE_CID = 'report-chart@takt';

/** An e-mail: text and HTML parts, the PNG inline (cid), and the key table in HTML. */
export function reportMail(r: RenderedReport) {
  const p = partsOf(r);
  const cell = (tag: string) => (c: string) =>
    `<${tag} style="padding:2px 8px;text-align:left">${html(c)}</${tag}>`;
  const table = `<table style="border-collapse:collapse">${[
    `<tr>${p.head.map(cell('th')).join('')}</tr>`,
    ...p.rows.map((row) => `<tr>${row.map(cell('td')).join('')}</tr>`),
  ].join('')}</table>`;
  const list = (title: string, lines: string[]) =>
    `<h3>${html(title)}</h3><ul>${lines.map((l) => `<li>${html(l)}</li>`).join('')}</ul>`;
  return {
    subject: p.title,
    text: [
      p.title,
      p.window,
      '',
      monospaced(p.head, p.rows),
      '',
      `${p.t('report.chart.stops')}:`,
      ...p.stops.map((s) => `- ${s}`),
      '',
      `${p.t('report.late.title')}:`,
      ...p.late.map((s) => `- ${s}`),
    ].join('\n'),
    html: [
      `<h2>${html(p.title)}</h2><p>${html(p.window)}</p>`,
      `<img src="cid:${MAIL_IMAGE_CID}" alt="${html(p.title)}" width="1200">`,
      table,
      list(p.t('report.chart.stops'), p.stops),
      list(p.t('report.late.title'), p.late),
    ].join(''),
    attachments: [
      { filename: 'report.png', content: r.png, contentType: 'image/png', cid: MAIL_IMAGE_CID },
    ],
    headers: {
      'Auto-Submitted': 'auto-generated',
      // Which report, for mail rules and for the receiver's own dedupe: `shift 2026-11-20 early`.
      'X-Takt-Report': `${r.content.period.kind} ${r.content.period.date} ${r.content.period.shift}`,
    },
  };
}
