import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Alerts in the reader's language (docs/decisions.md "Issue 19 — alerts in the reader's
 * language"): alerts are stored as a message key with parameters and every answer renders
 * them in the language asked (`lang=`, then Accept-Language) and the plant's time zone,
 * never with an ISO timestamp in the text.
 */
const log = pino({ level: 'silent' });
const CJK = /[\u4e00-\u9fff]/;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

interface Alert {
  id: number;
  rule: string;
  subject: string;
  status: string;
  message: string;
  messageKey: string;
  messageParams: Record<string, unknown>;
}

let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let admin: Record<string, string>;

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const plant = {
    site: { id: 's', name: 'Hall 1', timeZone: 'Asia/Shanghai' },
    lines: [{ id: 'l', name: 'L', machines: [{ id: 'press-01', name: 'Press 01' }] }],
    alerts: {
      rules: [
        { id: 'silent', kind: 'no-data', machines: ['press-01'], forS: 1 },
        {
          id: 'andon-maintenance',
          kind: 'andon',
          call: 'maintenance',
          label: { en: 'Maintenance', 'zh-CN': '设备维修' },
        },
      ],
    },
  };
  const plantFile = join(mkdtempSync(join(tmpdir(), 'takt-alert-lang-')), 'plant.yaml');
  writeFileSync(plantFile, stringify(plant));
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_alert_lang'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-alert-lang' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile,
    batch: { maxItems: 100, maxDelayMs: 20 },
    alerts: { tickMs: 100 },
    log,
  });
  admin = await signedIn(ingest.pool, 'admin');
  await ingest.subscribed;
  gw = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
});

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

async function alerts(query: string, headers: Record<string, string> = {}): Promise<Alert[]> {
  const response = await fetch(`${ingest.url}/api/alerts?${query}`, {
    headers: { ...admin, ...headers },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Alert[];
}

describe("alerts in the reader's language", () => {
  beforeAll(async () => {
    // An andon call from the station (the real pipeline), and the no-data rule's own alert.
    const payload = encodePayload('scan', {
      v: 1,
      seq: 1,
      ts: Date.now(),
      code: 'ANDON:maintenance',
      action: 'andon',
      reason: 'maintenance',
      operator: '1042',
    });
    await gw.publishAsync(topics.machine('s', 'gw-1', 'press-01', 'scan'), payload, { qos: 1 });
    // A late-risk alert as the order judge stores it (a time parameter), and a row stored
    // before alerts were messages.
    await ingest.pool.query(
      `INSERT INTO alerts (rule_id, subject, severity, status, opened_at, message, message_key, message_params)
       VALUES ('late', 'WO-24119', 'warning', 'open', now(), 'x', 'alert.order-late',
               '{"order": "WO-24119", "eta": {"time": "2026-12-07T20:17:28.430Z"}}'),
              ('old', 'press-01', 'info', 'cleared', now(), 'press-01 was hot', 'legacy.text', '{}')`,
    );
    await waitFor('the andon and no-data alerts', async () => {
      const open = await alerts('status=open');
      const rules = new Set(open.map((a) => a.rule));
      return rules.has('silent') && rules.has('andon-maintenance') ? open : undefined;
    });
  });

  it('lang=zh-CN: every open alert in Chinese, no ISO timestamp; lang=en: English', async () => {
    const zh = await alerts('status=open&lang=zh-CN');
    expect(zh.length).toBeGreaterThanOrEqual(3);
    for (const a of zh) {
      expect(a.message, a.rule).toMatch(CJK);
      expect(a.message, a.rule).not.toMatch(ISO);
    }
    const byRule = (list: Alert[], rule: string) => list.find((a) => a.rule === rule)!;
    // 2026-12-07T20:17Z is 12-08 04:17 in Shanghai.
    expect(byRule(zh, 'late').message).toBe(
      '工单 WO-24119 可能无法按期交付（预计完成 12-08 04:17）',
    );
    expect(byRule(zh, 'andon-maintenance').message).toBe('press-01 呼叫：设备维修（操作员 1042）');
    expect(byRule(zh, 'silent').message).toMatch(/^press-01 已 \d+ 秒 没有数据$/);

    const en = await alerts('status=open&lang=en');
    for (const a of en) {
      expect(a.message, a.rule).not.toMatch(CJK);
      expect(a.message, a.rule).not.toMatch(ISO);
    }
    expect(byRule(en, 'late').message).toBe(
      'work order WO-24119 may miss its due date (ETA 12-08 04:17)',
    );
    expect(byRule(en, 'andon-maintenance').message).toBe(
      'Maintenance called at press-01 (operator 1042)',
    );
    // The key and parameters travel along, for a screen to render in its own language.
    expect(byRule(en, 'late')).toMatchObject({
      messageKey: 'alert.order-late',
      messageParams: { order: 'WO-24119', eta: { time: '2026-12-07T20:17:28.430Z' } },
    });
    expect(byRule(en, 'silent').messageKey).toBe('alert.no-data');
  });

  it('without lang=, Accept-Language chooses; one alert by id renders the same way', async () => {
    const zh = await alerts('status=open', { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' });
    for (const a of zh) expect(a.message).toMatch(CJK);
    const late = zh.find((a) => a.rule === 'late')!;
    const one = await fetch(`${ingest.url}/api/alerts/${late.id}?lang=zh-CN`, { headers: admin });
    expect(((await one.json()) as Alert).message).toBe(late.message);
    const en = await fetch(`${ingest.url}/api/alerts/${late.id}`, { headers: admin });
    expect(((await en.json()) as Alert).message).toContain('may miss its due date');
  });

  it('a row stored before alerts were messages says its sentence as it was', async () => {
    const cleared = await alerts('status=cleared&lang=zh-CN');
    expect(cleared.find((a) => a.rule === 'old')).toMatchObject({
      message: 'press-01 was hot',
      messageKey: 'legacy.text',
      messageParams: { text: 'press-01 was hot' },
    });
  });
});
