import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startIngest, type RunningIngest } from '../../src';
import { LOOPBACK_WEBHOOKS, startSmtpReceiver, startWebhookReceiver } from '../helpers/receivers';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

const log = pino({ level: 'silent' });
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
const hooks: Record<string, Receiver> = {};
/** The escalation's second channel (kept apart from `hooks`, which count one message each). */
let pager: Receiver;
let seq = 1;

interface Alert {
  id: number;
  rule: string;
  status: string;
  deliveryFailed: boolean;
  clearedBy: string | null;
}

/** A loopback port nobody listens on: an unreachable webhook. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function send(tag: string, value: number) {
  const payload = encodePayload('metrics', {
    v: 1,
    seq: seq++,
    ts: Date.now(),
    readings: [{ tag, value, ts: Date.now(), quality: 'good' }],
  });
  await gw.publishAsync(topics.machine('s', 'gw-1', 'press-01', 'metrics'), payload, { qos: 1 });
}

let auth: { authorization: string };

async function api<T>(path: string, method = 'GET', body?: unknown) {
  const response = await fetch(`${ingest.url}${path}`, {
    method,
    ...(body === undefined
      ? { headers: auth }
      : {
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alertOf = async (rule: string) =>
  (await api<Alert[]>('/api/alerts')).body.find((a) => a.rule === rule);

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  hooks.flaky = await startWebhookReceiver({ failFirst: 2 });
  for (const name of ['ding', 'wecom'])
    hooks[name] = await startWebhookReceiver({ answer: '{"errcode":0,"errmsg":"ok"}' });
  hooks.slack = await startWebhookReceiver({ answer: 'ok' });
  hooks.teams = await startWebhookReceiver();
  pager = await startWebhookReceiver();
  smtp = await startSmtpReceiver({ users: { takt: 'mail-pass' } });
  const rule = { kind: 'threshold', machines: ['press-01'], above: 80, severity: 'critical' };
  const plant = {
    site: { id: 's', name: 'Hall 1' },
    lines: [{ id: 'l', name: 'L', machines: [{ id: 'press-01', name: 'Press 01' }] }],
    alerts: {
      channels: [
        { id: 'flaky', type: 'webhook', urlEnv: 'FLAKY_URL' },
        {
          id: 'ding',
          type: 'webhook',
          format: 'dingtalk',
          urlEnv: 'DING_URL',
          secretEnv: 'DING_SECRET',
        },
        { id: 'wecom', type: 'webhook', format: 'wecom', urlEnv: 'WECOM_URL' },
        { id: 'slack', type: 'webhook', format: 'slack', urlEnv: 'SLACK_URL' },
        { id: 'teams', type: 'webhook', format: 'teams', urlEnv: 'TEAMS_URL' },
        { id: 'pager', type: 'webhook', urlEnv: 'PAGER_URL' },
        { id: 'dead', type: 'webhook', urlEnv: 'DEAD_URL' },
        {
          id: 'mail',
          type: 'email',
          from: 'takt@x.example',
          to: ['maint@x.example'],
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            userEnv: 'SMTP_USER',
            passwordEnv: 'SMTP_PASS',
            // The test server has no TLS: the clear-text sign-in is allowed explicitly.
            allowPlainAuth: true,
          },
        },
      ],
      rules: [
        {
          ...rule,
          id: 'hot',
          tag: 'temperature',
          notify: ['flaky', 'ding', 'wecom', 'slack', 'teams', 'mail'],
        },
        { ...rule, id: 'pressure', tag: 'pressure', above: 5, notify: ['dead'] },
        { ...rule, id: 'typo', tag: 'tmperature' },
        // Unacknowledged for 0.6 s: the pager is told; the first channel told nothing more.
        {
          ...rule,
          id: 'vibration',
          tag: 'vibration',
          above: 3,
          escalate: { afterMin: 0.01, notify: ['pager'] },
        },
      ],
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'takt-alert-plant-')), 'plant.yaml');
  writeFileSync(file, stringify(plant));
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_alert_delivery'),
    mqtt: { url, clientId: 'ingest-alerts' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: file,
    batch: { maxItems: 1000, maxDelayMs: 20 },
    alerts: {
      tickMs: 100,
      delivery: { attempts: 3, baseDelayMs: 50, timeoutMs: 2000 },
      env: {
        ...LOOPBACK_WEBHOOKS,
        DING_URL: `${hooks.ding!.url}?access_token=tok123`,
        DING_SECRET: 'SECxyz',
        FLAKY_URL: hooks.flaky.url,
        WECOM_URL: hooks.wecom!.url,
        SLACK_URL: hooks.slack.url,
        TEAMS_URL: hooks.teams.url,
        PAGER_URL: pager.url,
        DEAD_URL: `http://127.0.0.1:${await closedPort()}/hook`,
        SMTP_USER: 'takt',
        SMTP_PASS: 'mail-pass',
      },
    },
    log,
  });
  auth = await signedIn(ingest.pool, 'admin');
  await ingest.subscribed;
  gw = await mqtt.connectAsync(url);
});

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
  for (const hook of Object.values(hooks)) await hook.stop();
  await pager?.stop();
  await smtp?.stop();
});

describe('alert delivery to chat tools and e-mail', () => {
  it('delivers one alert in every format, retrying a failing receiver', async () => {
    await send('temperature', 91);
    const alert = await waitFor('the alert', () => alertOf('hot'));
    await waitFor('every channel', () =>
      Object.entries(hooks).every(([, h]) => h.received.length === 1) && smtp.received.length === 1
        ? true
        : undefined,
    );
    // A receiver records a request before the worker stores its answer: wait for the row.
    const flaky = await waitFor('the flaky delivery stored', async () => {
      const detail = await api<{
        deliveries: { channel: string; status: string; attempts: number }[];
      }>(`/api/alerts/${alert.id}`);
      const row = detail.body.deliveries.find((d) => d.channel === 'flaky');
      return row?.status === 'pending' ? undefined : row;
    });
    expect(flaky).toMatchObject({ status: 'delivered', attempts: 3 }); // 500, 500, 200

    // DingTalk: sign = Base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")) in the query.
    const ding = hooks.ding!.received[0]!;
    const query = new URL(ding.url, 'http://x').searchParams;
    expect(query.get('access_token')).toBe('tok123');
    const expected = createHmac('sha256', 'SECxyz')
      .update(`${query.get('timestamp')}\nSECxyz`)
      .digest('base64');
    expect(query.get('sign')).toBe(expected);
    expect(ding.json).toMatchObject({
      msgtype: 'markdown',
      // DingTalk's default language is zh-CN (docs/config-reference.md, channel `lang`).
      markdown: { title: expect.stringContaining('[严重] 告警: press-01 temperature 为 91') },
    });
    expect(hooks.wecom!.received[0]!.json).toMatchObject({
      msgtype: 'markdown',
      markdown: { content: expect.stringContaining('press-01') },
    });
    expect(hooks.slack!.received[0]!.json).toMatchObject({
      text: expect.stringContaining('press-01'),
      blocks: expect.any(Array),
    });
    expect(hooks.teams!.received[0]!.json).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { type: 'AdaptiveCard' },
        },
      ],
    });
    expect(hooks.flaky!.received[0]!.json).toMatchObject({
      type: 'takt.alert',
      event: 'opened',
      alert: { id: alert.id, rule: 'hot', subject: 'press-01', severity: 'critical' },
    });
    expect(smtp.received[0]!.subject).toContain('press-01 temperature 91');
  });

  it('records a delivery that never got through on the alert and reports the channel on the rule', async () => {
    await send('pressure', 9);
    const failed = await waitFor('the failed delivery', async () => {
      const a = await alertOf('pressure');
      return a?.deliveryFailed ? a : undefined;
    });
    const detail = await api<{
      deliveries: { status: string; attempts: number; lastError: string }[];
      events: { kind: string }[];
    }>(`/api/alerts/${failed.id}`);
    expect(detail.body.deliveries).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 3,
        lastError: expect.stringContaining('unreachable'),
      }),
    ]);
    expect(detail.body.events.map((e) => e.kind)).toEqual(['opened', 'delivery-failed']);
    // The channel's state, for responders (GET /api/alert-channels).
    const channels = await api<
      {
        id: string;
        type: string;
        format?: string;
        status: string;
        lastError: string | null;
        queued: number;
      }[]
    >('/api/alert-channels');
    expect(channels.status).toBe(200);
    expect(channels.body.find((c) => c.id === 'dead')).toEqual({
      id: 'dead',
      type: 'webhook',
      format: 'generic',
      status: 'failing',
      lastError: expect.stringContaining('unreachable'),
      queued: 0,
    });
    expect(channels.body.find((c) => c.id === 'ding')).toMatchObject({
      format: 'dingtalk',
      status: 'ok',
    });
    expect(channels.body.find((c) => c.id === 'mail')).toMatchObject({
      type: 'email',
      status: 'ok',
    });
    type Problems = { problems: { rule: string; message: string; messageKey: string }[] };
    const rules = await api<Problems>('/api/alert-rules');
    expect(rules.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'pressure',
          message: expect.stringMatching(/channel "dead" could not be reached/),
          messageKey: 'alerts.problem.unreachable',
        }),
        expect.objectContaining({
          rule: 'typo',
          message: expect.stringContaining('tag "tmperature" has never been received'),
        }),
      ]),
    );
    // In the admin's language, the failure's time in the plant's zone, never as ISO.
    const zh = await api<Problems>('/api/alert-rules?lang=zh-CN');
    const dead = zh.body.problems.find((p) => p.rule === 'pressure')!;
    expect(dead.message).toMatch(/^通道 "dead" 无法送达（\d{2}-\d{2} \d{2}:\d{2}）/);
    for (const p of [...rules.body.problems, ...zh.body.problems])
      expect(p.message).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('escalates an unacknowledged alert to the second channel, once', async () => {
    await send('vibration', 7);
    const alert = await waitFor('the vibration alert', () => alertOf('vibration'));
    const message = await waitFor('the escalation', () => pager.received[0]);
    expect(message.json).toMatchObject({ event: 'escalated', alert: { id: alert.id } });
    const escalated = await api<{ escalatedAt: string | null; status: string }>(
      `/api/alerts/${alert.id}`,
    );
    expect(escalated.body).toMatchObject({ status: 'open', escalatedAt: expect.any(String) });
    await new Promise((r) => setTimeout(r, 1000));
    expect(pager.received).toHaveLength(1);
    // Cleared: the pager heard it escalate, so it hears it clear.
    await send('vibration', 1);
    await waitFor('the clear notice', () => (pager.received.length === 2 ? true : undefined));
    expect(pager.received[1]!.json).toMatchObject({ event: 'cleared' });
  });

  it('refuses bad requests plainly', async () => {
    expect((await api('/api/alerts?status=closed')).status).toBe(400);
    expect((await api('/api/alerts/999999/ack', 'POST', { by: 'x' })).status).toBe(404);
    const alert = (await alertOf('hot'))!;
    const noWho = await api<{ message: string }>(`/api/alerts/${alert.id}/ack`, 'POST', { by: '' });
    expect(noWho.status).toBe(400);
    expect(noWho.body.message).toMatch(/^by: /);
  });

  it('lets an admin replace the rules, validated like the plant model', async () => {
    const unknown = await api<{ message: string }>('/api/alert-rules', 'PUT', {
      rules: [{ id: 'x', kind: 'machine-down', machines: ['press-77'], forMin: 5 }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('rules.0.machines.0: unknown machine "press-77"');
    const negative = await api<{ message: string }>('/api/alert-rules', 'PUT', {
      rules: [{ id: 'x', kind: 'threshold', machines: ['press-01'], tag: 't', above: 1, forS: -1 }],
    });
    expect(negative.status).toBe(400);
    expect(negative.body.message).toMatch(/rules.0.forS: must not be negative/);

    const ok = await api<{ rules: { id: string }[] }>('/api/alert-rules', 'PUT', {
      by: 'admin',
      rules: [{ id: 'down', kind: 'machine-down', machines: ['press-01'], forMin: 5 }],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.rules.map((r) => r.id)).toEqual(['down']);
    // The open alerts of rules gone are cleared, not left dangling.
    const hot = await waitFor('the hot alert to clear', async () => {
      const a = await alertOf('hot');
      return a?.status === 'cleared' ? a : undefined;
    });
    expect(hot.clearedBy).toBe('rule-removed');
  });
});
