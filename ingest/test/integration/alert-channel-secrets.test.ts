import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startIngest, type RunningIngest } from '../../src';
import { kioskToken, signedIn } from '../helpers/auth';
import { LOOPBACK_WEBHOOKS, startSmtpReceiver, startWebhookReceiver } from '../helpers/receivers';
import { createTestDatabase } from '../helpers/test-db';

// Issue 18, findings 4, 10 and 13: channels and delivery replies stay with responders,
// redirects are not followed, SMTP credentials travel only over TLS.
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let redirecting: Receiver;
let elsewhere: Receiver;
let manager: Record<string, string>;
let kiosk: Record<string, string>;
const logLines: string[] = [];
let seq = 1;

beforeAll(async () => {
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  elsewhere = await startWebhookReceiver();
  redirecting = await startWebhookReceiver({ redirectTo: elsewhere.url });
  smtp = await startSmtpReceiver({ users: { takt: 'mail-pass' } }); // no STARTTLS offered
  const rule = { kind: 'threshold', machines: ['press-01'], tag: 'temperature', above: 80 };
  const plant = {
    site: { id: 's', name: 'Hall 1' },
    lines: [{ id: 'l', name: 'L', machines: [{ id: 'press-01', name: 'Press 01' }] }],
    alerts: {
      channels: [
        { id: 'moved', type: 'webhook', format: 'slack', urlEnv: 'MOVED_URL' },
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
          },
        },
        {
          id: 'plain',
          type: 'email',
          from: 'takt@x.example',
          to: ['maint@x.example'],
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            userEnv: 'SMTP_USER',
            passwordEnv: 'SMTP_PASS',
            allowPlainAuth: true,
          },
        },
      ],
      rules: [
        {
          ...rule,
          id: 'hot',
          notify: ['moved', 'mail', 'plain'],
          escalate: { afterMin: 60, notify: ['mail'] },
        },
      ],
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'takt-channel-secrets-')), 'plant.yaml');
  writeFileSync(file, stringify(plant));
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_channel_secrets'),
    mqtt: { url, clientId: 'ingest-channel-secrets' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: file,
    batch: { maxItems: 1000, maxDelayMs: 20 },
    alerts: {
      tickMs: 100,
      delivery: { attempts: 1, baseDelayMs: 50, timeoutMs: 2000 },
      env: {
        ...LOOPBACK_WEBHOOKS,
        MOVED_URL: redirecting.url,
        SMTP_USER: 'takt',
        SMTP_PASS: 'mail-pass',
      },
    },
    log,
  });
  manager = await signedIn(ingest.pool, 'manager');
  kiosk = { authorization: `Bearer ${await kioskToken(ingest.pool)}` };
  await ingest.subscribed;
  gw = await mqtt.connectAsync(url);
});

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
  await redirecting?.stop();
  await elsewhere?.stop();
  await smtp?.stop();
});

const get = async <T>(path: string, headers: Record<string, string>) =>
  (await (await fetch(`${ingest.url}${path}`, { headers })).json()) as T;

async function waitFor<T>(what: string, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Detail {
  id: number;
  deliveries: { channel: string; status: string; lastError: string | null }[];
  events: { kind: string; detail: unknown }[];
}

describe('alert channels and deliveries', () => {
  it('GET /api/plant shows channels and notify lists to responders only', async () => {
    type Plant = {
      alerts: { channels: unknown[]; rules: { notify: string[]; escalate?: unknown }[] };
    };
    const forKiosk = await get<Plant>('/api/plant', kiosk);
    expect(forKiosk.alerts.channels).toEqual([]);
    expect(forKiosk.alerts.rules[0]!.notify).toEqual([]);
    expect(forKiosk.alerts.rules[0]!.escalate).toBeUndefined();
    expect(JSON.stringify(forKiosk)).not.toMatch(/MOVED_URL|SMTP_|127\.0\.0\.1/);
    const forOperator = await get<Plant>('/api/plant', await signedIn(ingest.pool, 'operator'));
    expect(forOperator.alerts.channels).toEqual([]);
    const forManager = await get<Plant>('/api/plant', manager);
    expect(forManager.alerts.channels).toHaveLength(3);
    expect(forManager.alerts.rules[0]!.notify).toEqual(['moved', 'mail', 'plain']);
  });

  it('fails a redirected webhook and an SMTP server without STARTTLS; kiosks never see why', async () => {
    const ts = Date.now();
    await gw.publishAsync(
      topics.machine('s', 'gw-1', 'press-01', 'metrics'),
      encodePayload('metrics', {
        v: 1,
        seq: seq++,
        ts,
        readings: [{ tag: 'temperature', value: 91, ts, quality: 'good' }],
      }),
      { qos: 1 },
    );
    const detail = await waitFor('both deliveries failed', async () => {
      const list = await get<{ id: number; rule: string }[]>('/api/alerts', manager);
      const alert = list.find((a) => a.rule === 'hot');
      if (!alert) return undefined;
      const d = await get<Detail>(`/api/alerts/${alert.id}`, manager);
      // The delivery-failed event is written after the delivery row: both are waited for.
      const events = d.events.filter((e) => e.kind === 'delivery-failed');
      const settled = d.deliveries.every((x) => x.status !== 'pending');
      return d.deliveries.length === 3 && settled && events.length === 2 ? d : undefined;
    });
    const moved = detail.deliveries.find((d) => d.channel === 'moved')!;
    expect(moved.lastError).toMatch(
      /answered HTTP 307 \(a redirect to http:\/\/127\.0\.0\.1:\d+\): redirects are not followed/,
    );
    expect(redirecting.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
    const mail = detail.deliveries.find((d) => d.channel === 'mail')!;
    expect(mail.lastError).toMatch(
      /offers no STARTTLS, and the SMTP password is sent only over TLS/,
    );
    // The channel that opted out of TLS got through, and said so in the log.
    expect(detail.deliveries.find((d) => d.channel === 'plain')!.status).toBe('delivered');
    expect(smtp.received).toHaveLength(1);
    expect(logLines.join('')).toContain(
      'SMTP credentials may be sent without TLS (allowPlainAuth: true)',
    );

    const forKiosk = await get<Detail>(`/api/alerts/${detail.id}`, kiosk);
    expect(forKiosk.deliveries).toEqual([]);
    const failedEvents = forKiosk.events.filter((e) => e.kind === 'delivery-failed');
    expect(failedEvents).toHaveLength(2);
    expect(failedEvents.every((e) => e.detail === null)).toBe(true);
    expect(JSON.stringify(forKiosk)).not.toMatch(/STARTTLS|redirect|127\.0\.0\.1/);
  });
});
