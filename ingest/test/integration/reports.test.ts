import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import {
  LOOPBACK_WEBHOOKS,
  startSmtpReceiver,
  startWebhookReceiver,
  type ReceivedRequest,
} from '../helpers/receivers';
import { createTestDatabase } from '../helpers/test-db';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { MonthlyReport } from '@takt/protocol';
import { waitFor } from '../helpers/wait';

/**
 * Reports pushed at a shift's end (docs/decisions.md "Issue 19 — reports that come to
 * people"): real PostgreSQL, broker and pipeline, local WeCom, Slack and SMTP receivers; the
 * plant's clock is moved past each shift's end. Each report reaches each channel once, also
 * across a restart, with a PNG that decodes.
 */
const PLANT = `
site: { id: site-p, name: 报告工厂, timeZone: Asia/Shanghai }
lines:
  - id: line-a
    name: Line A
    machines: [{ id: m-a, name: 冲压 A, product: part }, { id: m-b, name: Press B, product: part }]
products:
  - { id: part, name: Part, idealCycleMs: 1000 }
shifts:
  - { id: early, name: 早班, start: '06:00', end: '14:00' }
  - { id: late, name: 中班, start: '14:00', end: '22:00' }
reasons:
  downtime: [{ id: jam, name: 卡料 }, { id: tool, name: Tool change }]
alerts:
  channels:
    - { id: wecom, type: webhook, format: wecom, urlEnv: TAKT_TEST_WECOM }
    - { id: slack, type: webhook, format: slack, urlEnv: TAKT_TEST_SLACK }
    - { id: mail, type: email, to: [boss@plant.example], from: takt@plant.example, smtp: { host: 127.0.0.1, port: SMTP_PORT } }
reports:
  shiftEnd: { channels: [wecom, slack, mail] }
`;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const log = pino({ level: 'silent' });
// Plant time is UTC+8: the early shift of 11-20 is 11-19 22:00 – 11-20 06:00 UTC.
const at = (hhmm: string) => Date.parse(`2026-11-20T${hhmm}:00+08:00`);
let clock = at('05:00');
let broker: RunningBroker;
let ingest: RunningIngest;
let wecom: Awaited<ReturnType<typeof startWebhookReceiver>>;
let slack: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let gw: MqttClient;
let databaseUrl: string;
let plantFile: string;
let port: number;
let seq = 1;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port: p } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return p;
}

async function start() {
  ingest = await startIngest({
    databaseUrl,
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-reports' },
    http: { host: '127.0.0.1', port },
    plantFile,
    batch: { maxItems: 1000, maxDelayMs: 20 },
    alerts: {
      now: () => clock,
      env: { ...LOOPBACK_WEBHOOKS, TAKT_TEST_WECOM: wecom.url, TAKT_TEST_SLACK: slack.url },
    },
    auth: { publicUrl: `http://127.0.0.1:${port}` },
    reportTickMs: 50,
    log,
  });
  await ingest.subscribed;
}

async function send(machine: string, kind: 'state' | 'count', ts: number, body: object) {
  const payload = encodePayload(kind, { v: 1, seq: seq++, ts, ...body } as never);
  await gw.publishAsync(topics.machine('site-p', 'gw-p', machine, kind), payload, { qos: 1 });
}

const markdownOf = (r: ReceivedRequest) =>
  (r.json as { msgtype: string; markdown?: { content: string } }).markdown?.content ?? '';
const wecomReports = (date: string, shift: string) =>
  wecom.received.filter((r) => markdownOf(r).includes(`${date} ${shift}`));
const slackReports = (title: string) =>
  slack.received.filter((r) => (r.json as { text: string }).text.includes(title));

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'takt-reports-'));
  wecom = await startWebhookReceiver({ answer: '{"errcode":0,"errmsg":"ok"}' });
  slack = await startWebhookReceiver({ answer: 'ok' });
  smtp = await startSmtpReceiver();
  plantFile = join(dir, 'plant.yaml');
  await writeFile(plantFile, PLANT.replace('SMTP_PORT', String(smtp.port)));
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  databaseUrl = await createTestDatabase('takt_reports');
  port = await freePort();
  await start();
  gw = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  const running = { state: 'running', code: 1 };
  for (const m of ['m-a', 'm-b']) await send(m, 'count', at('06:00'), { good: 0, reject: 0 });
  for (let ts = at('06:00'); ts < at('14:00'); ts += 60_000) {
    const hour = new Date(ts).getUTCHours() + 8;
    await send(
      'm-a',
      'state',
      ts,
      hour === 9 ? { state: 'down', code: 3, reason: 'jam' } : running,
    );
    await send(
      'm-b',
      'state',
      ts,
      hour === 11 ? { state: 'down', code: 3, reason: 'tool' } : running,
    );
  }
  await send('m-a', 'count', at('13:59'), { good: 21_000, reject: 300 });
  await send('m-b', 'count', at('13:59'), { good: 19_500, reject: 120 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await ingest.pool.query<{ n: string }>('SELECT count(*) AS n FROM counts');
    if (rows[0]!.n === '4') break;
    if (Date.now() > deadline) throw new Error('counts did not arrive');
    await new Promise((r) => setTimeout(r, 50));
  }
}, 90_000);

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
  await wecom?.stop();
  await slack?.stop();
  await smtp?.stop();
});

// Drawing images and reading a month of windows are slow on a loaded machine: not a speed check.
describe('reports pushed at the end of each shift', { timeout: 180_000 }, () => {
  it('sends the last shift missed before the start, then the early shift at its end, once each', async () => {
    // At 05:00 the last shift that ended is the late one of 11-19: sent at start.
    await waitFor(
      'the 11-19 late report',
      () => wecomReports('2026-11-19', '中班').length || undefined,
      30_000,
    );
    clock = at('14:05');
    const [markdown] = await waitFor(
      'the early report on WeCom',
      () => {
        const found = wecomReports('2026-11-20', '早班');
        return found.length > 0 && found;
      },
      30_000,
    );
    // WeCom: the image message (base64 + MD5 of the PNG) came first, then the markdown.
    const index = wecom.received.indexOf(markdown!);
    const image = (wecom.received[index - 1]!.json as { image: { base64: string; md5: string } })
      .image;
    const png = Buffer.from(image.base64, 'base64');
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(png.readUInt32BE(16)).toBe(1200);
    expect(createHash('md5').update(png).digest('hex')).toBe(image.md5);
    // In Chinese (WeCom's default), with the machines, their figures and the stop reasons.
    const content = markdownOf(markdown!);
    expect(content).toContain('### 报告工厂 · 班次报告 · 2026-11-20 早班');
    expect(content).toContain('**冲压 A**: OEE');
    expect(content).toContain('卡料：1 小时（1 次）');
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);

    // Slack in English, with the image by its signed URL, which ingest serves.
    const [slackMessage] = await waitFor(
      'the early report on Slack',
      () => {
        const found = slackReports('shift report · 早班 2026-11-20');
        return found.length > 0 && found;
      },
      30_000,
    );
    const blocks = (slackMessage!.json as { blocks: { type: string; image_url?: string }[] })
      .blocks;
    const url = blocks.find((b) => b.type === 'image')!.image_url!;
    expect(url.startsWith(`http://127.0.0.1:${port}/api/reports/images/`)).toBe(true);
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fetched.arrayBuffer()).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const forged = new URL(url);
    forged.searchParams.set('exp', String(Number(forged.searchParams.get('exp')) + 1));
    expect((await fetch(forged)).status).toBe(404);

    // E-mail: HTML with the PNG inline by cid, and the key table.
    const mail = await waitFor(
      'the early report by mail',
      () => smtp.received.find((m) => m.header('x-takt-report') === 'shift 2026-11-20 early'),
      30_000,
    );
    expect(mail.header('auto-submitted')).toBe('auto-generated');
    expect(mail.raw).toContain('cid:report-chart@takt');
    expect(mail.raw).toContain('Content-Type: image/png');

    const { rows } = await ingest.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM sent_reports WHERE report_date = '2026-11-20' GROUP BY status`,
    );
    expect(rows).toEqual([{ status: 'sent', n: '3' }]);
    // Through each channel's delivery queue (docs/decisions.md "Issue 19 — reports through the
    // channel queue; the monthly page"): WeCom's image and markdown are two notices.
    const queued = async () =>
      (
        await ingest.pool.query<{ channel_id: string; n: string }>(
          `SELECT channel_id, count(*) AS n FROM alert_deliveries
            WHERE event = 'shift-report' AND status = 'delivered' GROUP BY channel_id ORDER BY channel_id`,
        )
      ).rows;
    await waitFor(
      'the notices marked delivered',
      async () =>
        JSON.stringify(await queued()) ===
        JSON.stringify([
          { channel_id: 'mail', n: '2' },
          { channel_id: 'slack', n: '2' },
          { channel_id: 'wecom', n: '4' },
        ])
          ? true
          : undefined,
      30_000,
    );
  });

  it('does not send a report again after a restart, and sends the next one', async () => {
    await ingest.stop();
    await start();
    clock = at('22:05');
    await waitFor(
      'the late report on WeCom',
      () => wecomReports('2026-11-20', '中班').length || undefined,
      30_000,
    );
    await waitFor(
      'the late report on Slack',
      () => slackReports('中班 2026-11-20').length || undefined,
      30_000,
    );
    // The late report came after the restart's first look: the early one was not sent again.
    expect(wecomReports('2026-11-20', '早班')).toHaveLength(1);
    expect(wecomReports('2026-11-19', '中班')).toHaveLength(1);
    expect(slackReports('早班 2026-11-20')).toHaveLength(1);
    expect(
      smtp.received.filter((m) => m.header('x-takt-report') === 'shift 2026-11-20 early'),
    ).toHaveLength(1);
  });

  it('serves the image of any shift in the asked language', async () => {
    const auth = await signedIn(ingest.pool, 'manager');
    await mkdir(new URL('../../../dashboard/test/screenshots/', import.meta.url), {
      recursive: true,
    });
    for (const [lang, file] of [
      ['en', 'report-shift.png'],
      ['zh-CN', 'report-shift-zh.png'],
    ] as const) {
      const response = await fetch(
        `${ingest.url}/api/reports/shift.png?date=2026-11-20&shift=early&lang=${lang}`,
        { headers: auth },
      );
      expect(response.status).toBe(200);
      const png = Buffer.from(await response.arrayBuffer());
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(png.length).toBeGreaterThan(20_000);
      await writeFile(new URL(`../../../dashboard/test/screenshots/${file}`, import.meta.url), png);
    }
    const daily = await fetch(`${ingest.url}/api/reports/daily.png?date=2026-11-20`, {
      headers: auth,
    });
    expect(daily.status).toBe(200);
    const missing = await fetch(`${ingest.url}/api/reports/shift.png?date=2026-11-20&shift=night`, {
      headers: auth,
    });
    expect(missing.status).toBe(404);
    const bad = await fetch(`${ingest.url}/api/reports/shift.png?date=20.11.2026&shift=early`, {
      headers: auth,
    });
    expect(bad.status).toBe(400);
  });

  it('gives the monthly improvement report and its PDF, with a late order and its cause', async () => {
    const auth = await signedIn(ingest.pool, 'manager');
    const created = await fetch(`${ingest.url}/api/work-orders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'WO-LATE',
        product: 'part',
        quantity: 50_000,
        dueAt: new Date(at('08:30')).toISOString(),
        operations: [{ id: 'op1', machine: 'm-a' }],
      }),
    });
    expect(created.status).toBe(201);
    const answer = await fetch(`${ingest.url}/api/reports/monthly?month=2026-11&lang=zh-CN`, {
      headers: auth,
    });
    expect(answer.status).toBe(200);
    const report = (await answer.json()) as MonthlyReport;
    expect(report.title).toBe('报告工厂 · 月度改进建议报告 · 2026-11');
    expect(report.previousMonth).toBe('2026-10');
    expect(report.oee.this).toBeGreaterThan(0);
    expect(report.oee.last).toBeNull();
    const breakdowns = report.losses.find((l) => l.loss === 'breakdowns')!;
    expect(breakdowns).toMatchObject({ label: '故障', lastMs: 0 });
    expect(breakdowns.thisMs).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(report.stops.map((s) => s.label)).toEqual(
      expect.arrayContaining(['卡料', 'Tool change']),
    );
    expect(report.late).toEqual([
      expect.objectContaining({
        id: 'WO-LATE',
        completedAt: null,
        cause: expect.objectContaining({ label: '卡料' }),
      }),
    ]);
    expect(report.suggestions.join('\n')).toContain('1 个订单延误，其设备上最常见的原因是卡料');

    const pdf = await fetch(`${ingest.url}/api/reports/monthly.pdf?month=2026-11&lang=zh-CN`, {
      headers: auth,
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const doc = await getDocument({ data: new Uint8Array(await pdf.arrayBuffer()), verbosity: 0 })
      .promise;
    const page = await doc.getPage(1);
    const words = (await page.getTextContent()).items
      .map((item) => ('str' in item ? item.str : ''))
      .join('');
    await doc.destroy();
    expect(words).toContain('月度改进建议报告');
    expect(words).toContain('WO-LATE');
    expect(words).toContain('卡料');
    const en = await fetch(`${ingest.url}/api/reports/monthly?month=2026-11&lang=en`, {
      headers: auth,
    });
    expect(((await en.json()) as MonthlyReport).title).toBe(
      '报告工厂 · monthly improvement report · 2026-11',
    );
    const bad = await fetch(`${ingest.url}/api/reports/monthly?month=2026-13`, { headers: auth });
    expect(bad.status).toBe(400);
  });
});
