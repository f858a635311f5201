import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { alertItemSchema, encodePayload, topics } from '@takt/protocol';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startIngest, type RunningIngest } from '../../src';
import { LOOPBACK_WEBHOOKS, startWebhookReceiver } from '../helpers/receivers';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

const log = pino({ level: 'silent' });
let broker: RunningBroker;
let databaseUrl: string;
let seq = 1;
/** The webhook URLs of the plant files (secrets come from the environment). */
const hookEnv: Record<string, string> = {};
const dir = mkdtempSync(join(tmpdir(), 'takt-alert-restart-'));

function plantFile(rules: unknown[], channels: unknown[] = []): string {
  const file = join(dir, `plant-${rules.length}-${channels.length}.yaml`);
  writeFileSync(
    file,
    stringify({
      site: { id: 's', name: 'S' },
      lines: [{ id: 'l', name: 'L', machines: [{ id: 'm1', name: 'M1' }] }],
      alerts: { rules, channels },
    }),
  );
  return file;
}

const hot = { id: 'hot', kind: 'threshold', machines: ['m1'], tag: 't', above: 50, clearMargin: 2 };

async function start(file: string, name: string, db = databaseUrl): Promise<RunningIngest> {
  const ingest = await startIngest({
    databaseUrl: db,
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: name },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: file,
    batch: { maxItems: 100, maxDelayMs: 10 },
    // Retries far apart: a stop falls between two of them.
    alerts: {
      tickMs: 50,
      delivery: { attempts: 3, baseDelayMs: 60_000, timeoutMs: 1000 },
      env: { ...LOOPBACK_WEBHOOKS, ...hookEnv },
    },
    log,
  });
  await ingest.subscribed;
  return ingest;
}

async function send(value: number) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  const ts = Date.now();
  await client.publishAsync(
    topics.machine('s', 'gw', 'm1', 'metrics'),
    encodePayload('metrics', {
      v: 1,
      seq: seq++,
      ts,
      readings: [{ tag: 't', value, ts, quality: 'good' }],
    }),
    { qos: 1 },
  );
  await client.endAsync();
}

async function alerts(ingest: RunningIngest) {
  const headers = await signedIn(ingest.pool, 'maintenance');
  const body = (await (await fetch(`${ingest.url}/api/alerts`, { headers })).json()) as unknown[];
  return body.map((a) => alertItemSchema.parse(a));
}

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  databaseUrl = await createTestDatabase('takt_alert_restart');
});
afterAll(() => broker?.stop());

describe('alerts across an ingest restart', () => {
  it('an open alert stays the one alert after a restart, and clears from there', async () => {
    let ingest = await start(plantFile([hot]), 'ingest-a');
    await send(60);
    const [first] = await until('the alert', async () => {
      const list = await alerts(ingest);
      return list.length > 0 ? list : undefined;
    });
    await ingest.stop();

    ingest = await start(plantFile([hot]), 'ingest-b');
    try {
      await send(61); // still hot: the same alert, not a second one
      await new Promise((r) => setTimeout(r, 500));
      expect((await alerts(ingest)).map((a) => [a.id, a.status])).toEqual([[first!.id, 'open']]);
      await send(40);
      const cleared = await until('the clear', async () => {
        const [a] = await alerts(ingest);
        return a?.status === 'cleared' ? a : undefined;
      });
      expect(cleared).toMatchObject({ id: first!.id, clearedBy: 'condition' });
      await send(70);
      await until('a new alert', async () =>
        (await alerts(ingest)).length === 2 ? true : undefined,
      );
    } finally {
      await ingest.stop();
    }
  });

  it('a rule dropped from the plant file clears its open alert at start', async () => {
    const other = { id: 'gw', kind: 'gateway-offline' };
    const ingest = await start(plantFile([other]), 'ingest-c');
    try {
      const list = await alerts(ingest);
      expect(list.filter((a) => a.status !== 'cleared')).toEqual([]);
      expect(list.find((a) => a.rule === 'hot' && a.clearedBy === 'rule-removed')).toBeDefined();
    } finally {
      await ingest.stop();
    }
  });

  it('a notice left pending by a stop is sent at the next start, on the same delivery row', async () => {
    const db = await createTestDatabase('takt_alert_resume');
    // The receiver is down at first: reserve its port, then free it.
    const probe = await startWebhookReceiver();
    const url = probe.url;
    await probe.stop();
    hookEnv.HOOK_URL = url;
    const file = plantFile(
      [{ ...hot, notify: ['hook'] }],
      [{ id: 'hook', type: 'webhook', urlEnv: 'HOOK_URL' }],
    );
    let ingest = await start(file, 'ingest-d', db);
    await send(80);
    const [alert] = await until('the alert', async () => {
      const list = await alerts(ingest);
      return list.length > 0 ? list : undefined;
    });
    await until('a first failed attempt', async () => {
      const { rows } = await ingest.pool.query<{ attempts: number }>(
        'SELECT attempts FROM alert_deliveries',
      );
      return rows[0]?.attempts === 1 ? true : undefined;
    });
    await ingest.stop(); // mid-backoff: the row stays pending
    const port = Number(new URL(url).port);
    const hook = await startWebhookReceiver({ port });
    ingest = await start(file, 'ingest-e', db);
    try {
      // The receiver records a request before the worker stores its answer: wait for the row.
      const rows = await until('the resumed notice stored as delivered', async () => {
        const { rows } = await ingest.pool.query<{ status: string; attempts: number }>(
          'SELECT status, attempts FROM alert_deliveries',
        );
        return rows[0]?.status === 'delivered' ? rows : undefined;
      });
      expect(rows).toEqual([{ status: 'delivered', attempts: 2 }]);
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0]!.json).toMatchObject({ event: 'opened', alert: { id: alert!.id } });
    } finally {
      await ingest.stop();
      await hook.stop();
    }
  });
});
