import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  createSession,
  createUser,
  startIngest,
  type IngestOptions,
  type RunningIngest,
} from '../../src';
import { signedIn } from '../helpers/auth';
import { LOOPBACK_WEBHOOKS, startWebhookReceiver } from '../helpers/receivers';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Issue 17, andon calls on the real pipeline (docs/decisions.md "Issue 17 — andon calls"): a
 * station's `ANDON:<call>` scan, published on a gateway's scan topic, opens an alert of the
 * andon rule, delivered to its channel; a responder acknowledges and clears it with the alert
 * routes; the station's calls and the response times read it back.
 */
const log = pino({ level: 'silent' });

let broker: RunningBroker;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let plantFile: string;

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  hook = await startWebhookReceiver();
  const plant = {
    site: { id: 's', name: 'Hall 1' },
    lines: [
      {
        id: 'l',
        name: 'L',
        machines: [
          { id: 'press-01', name: 'Press 01' },
          { id: 'press-02', name: 'Press 02' },
        ],
      },
    ],
    alerts: {
      channels: [{ id: 'chat', type: 'webhook', urlEnv: 'CHAT_URL' }],
      rules: [
        {
          id: 'andon-maintenance',
          name: 'Maintenance called',
          kind: 'andon',
          call: 'maintenance',
          label: { en: 'Maintenance', 'zh-CN': '设备维修' },
          severity: 'critical',
          notify: ['chat'],
        },
        { id: 'andon-material', kind: 'andon', call: 'material', stations: ['press-02'] },
      ],
    },
  };
  plantFile = join(mkdtempSync(join(tmpdir(), 'takt-andon-plant-')), 'plant.yaml');
  writeFileSync(plantFile, stringify(plant));
});

afterAll(async () => {
  await broker?.stop();
  await hook?.stop();
});

function start(
  databaseUrl: string,
  clientId: string,
  consumers?: IngestOptions['consumers'],
): Promise<RunningIngest> {
  return startIngest({
    databaseUrl,
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId },
    http: { host: '127.0.0.1', port: 0 },
    plantFile,
    batch: { maxItems: 100, maxDelayMs: 20 },
    // The receiver is on loopback: allow-listed (docs/config-reference.md "TAKT_WEBHOOK_ALLOW").
    alerts: { tickMs: 100, env: { ...LOOPBACK_WEBHOOKS, CHAT_URL: hook.url } },
    ...(consumers ? { consumers } : {}),
    log,
  });
}

interface Alert {
  id: number;
  rule: string;
  subject: string;
  status: string;
  openedAt: string;
  message: string;
}

interface StationCalls {
  station: string;
  calls: {
    call: string;
    rule: string;
    state: string;
    alertId: number | null;
    calledAt: string | null;
    acknowledgedBy: string | null;
    clearedAt: string | null;
    waitingMs: number | null;
    label: { en?: string };
  }[];
}

async function call(
  ingest: RunningIngest,
  headers: Record<string, string>,
  path: string,
  method = 'GET',
) {
  const response = await fetch(`${ingest.url}${path}`, { method, headers });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A station's andon scan as its gateway's serial scanner publishes it. */
async function publishCall(
  gw: MqttClient,
  gateway: string,
  station: string,
  c: { seq: number; ts: number; call: string },
) {
  const payload = encodePayload('scan', {
    v: 1,
    seq: c.seq,
    ts: c.ts,
    code: `ANDON:${c.call}`,
    action: 'andon',
    reason: c.call,
    operator: '1042',
  });
  await gw.publishAsync(topics.machine('s', gateway, station, 'scan'), payload, { qos: 1 });
}

describe('andon calls', () => {
  let ingest: RunningIngest;
  let gw: MqttClient;
  let admin: Record<string, string>;
  let mia: Record<string, string>;

  beforeAll(async () => {
    ingest = await start(await createTestDatabase('takt_andon'), 'ingest-andon');
    admin = await signedIn(ingest.pool, 'admin');
    const user = await createUser(ingest.pool, 'mia', 'maintenance', 'x');
    mia = {
      authorization: `Bearer ${(await createSession(ingest.pool, user!.id, 3_600_000)).token}`,
    };
    await ingest.subscribed;
    gw = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  });

  afterAll(async () => {
    await gw?.endAsync();
    await ingest?.stop();
  });

  const alertsOf = async (rule: string, status = '') =>
    (
      (await call(ingest, admin, `/api/alerts${status ? `?status=${status}` : ''}`)).body as Alert[]
    ).filter((a) => a.rule === rule);
  const stationCalls = async (station: string) =>
    (await call(ingest, admin, `/api/stations/${station}/andon`)).body as StationCalls;

  it('a call opens the alert, delivered; acknowledged and cleared by a responder; timed', async () => {
    const calledAt = Date.now() - 30_000; // the scan's own time, half a minute ago
    await publishCall(gw, 'gw-1', 'press-01', { seq: 1, ts: calledAt, call: 'maintenance' });

    const [alert] = await waitFor('the andon alert', async () => {
      const open = await alertsOf('andon-maintenance', 'open');
      return open.length > 0 ? open : undefined;
    });
    expect(alert).toMatchObject({
      subject: 'press-01',
      status: 'open',
      openedAt: new Date(calledAt).toISOString(),
      message: 'Maintenance called at press-01 (operator 1042)',
    });
    const rules = (await call(ingest, admin, '/api/alert-rules')).body as {
      rules: { id: string; kind: string }[];
    };
    expect(rules.rules.find((r) => r.id === alert!.rule)?.kind).toBe('andon');

    const delivered = await waitFor('the channel', async () => hook.received[0]);
    expect(delivered.json).toMatchObject({
      event: 'opened',
      alert: { id: alert!.id, rule: 'andon-maintenance', subject: 'press-01' },
    });

    // press-01 offers maintenance only (material is press-02's).
    const called = await stationCalls('press-01');
    expect(called.calls).toHaveLength(1);
    expect(called.calls[0]).toMatchObject({
      call: 'maintenance',
      state: 'called',
      alertId: alert!.id,
      calledAt: new Date(calledAt).toISOString(),
      label: { en: 'Maintenance' },
    });
    expect(called.calls[0]!.waitingMs).toBeGreaterThanOrEqual(30_000);

    const ack = await call(ingest, mia, `/api/alerts/${alert!.id}/ack`, 'POST');
    expect(ack.status).toBe(200);
    expect((await stationCalls('press-01')).calls[0]).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'mia',
    });
    const clear = await call(ingest, mia, `/api/alerts/${alert!.id}/clear`, 'POST');
    expect(clear.status).toBe(200);
    const cleared = (await stationCalls('press-01')).calls[0]!;
    expect(cleared).toMatchObject({ state: 'cleared-recently', waitingMs: null });

    const from = new Date(calledAt - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const times = await call(
      ingest,
      mia,
      `/api/andon/response-times?from=${from}&to=${to}&station=press-01`,
    );
    expect(times.status).toBe(200);
    const [maintenance] = (
      times.body as {
        calls: {
          call: string;
          count: number;
          open: number;
          acknowledge: { count: number; p50Ms: number };
          clear: { count: number; p50Ms: number };
        }[];
      }
    ).calls;
    expect(maintenance).toMatchObject({ call: 'maintenance', count: 1, open: 0 });
    expect(maintenance!.acknowledge.count).toBe(1);
    expect(maintenance!.acknowledge.p50Ms).toBeGreaterThanOrEqual(30_000);
    expect(maintenance!.clear.count).toBe(1);
    expect(maintenance!.clear.p50Ms).toBeGreaterThanOrEqual(maintenance!.acknowledge.p50Ms);
  });

  it('the same scan twice, a replay of it and an unknown call open nothing more', async () => {
    const ts = Date.now() - 5_000;
    await publishCall(gw, 'gw-2', 'press-02', { seq: 1, ts, call: 'maintenance' });
    await waitFor('the call', async () =>
      (await alertsOf('andon-maintenance', 'open')).length > 0 ? true : undefined,
    );
    // Sent again (a retry: the same seq), the same scan from a gateway that lost its seq
    // (a new seq), a second call while one is open, and a call nobody offers at press-02.
    await publishCall(gw, 'gw-2', 'press-02', { seq: 1, ts, call: 'maintenance' });
    await publishCall(gw, 'gw-2', 'press-02', { seq: 2, ts, call: 'maintenance' });
    await publishCall(gw, 'gw-2', 'press-02', { seq: 3, ts: ts + 1000, call: 'maintenance' });
    await publishCall(gw, 'gw-2', 'press-02', { seq: 4, ts: ts + 1500, call: 'coffee' });
    // The marker: a later call of another type; calls are opened in commit order.
    await publishCall(gw, 'gw-2', 'press-02', { seq: 5, ts: ts + 2000, call: 'material' });
    await waitFor('the marker call', async () =>
      (await alertsOf('andon-material')).length > 0 ? true : undefined,
    );
    const atPress02 = (await alertsOf('andon-maintenance')).filter((a) => a.subject === 'press-02');
    expect(atPress02).toHaveLength(1);
    const { rows } = await ingest.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM scans WHERE station_id = 'press-02' AND reason = 'coffee'`,
    );
    expect(Number(rows[0]!.n)).toBe(1); // stored, not opened
    const view = await stationCalls('press-02');
    expect(view.calls.map((c) => [c.call, c.state])).toEqual([
      ['maintenance', 'called'],
      ['material', 'called'],
    ]);

    // Cleared, then the old scan comes once more: answered already, nothing opens. A new
    // call (a later time) opens a new alert.
    await call(ingest, mia, `/api/alerts/${atPress02[0]!.id}/clear`, 'POST');
    await publishCall(gw, 'gw-2', 'press-02', { seq: 6, ts, call: 'maintenance' });
    await publishCall(gw, 'gw-2', 'press-02', { seq: 7, ts: Date.now(), call: 'maintenance' });
    const again = await waitFor('the new call', async () => {
      const open = (await alertsOf('andon-maintenance', 'open')).filter(
        (a) => a.subject === 'press-02',
      );
      return open.length > 0 ? open : undefined;
    });
    expect(Date.parse(again[0]!.openedAt)).toBeGreaterThan(ts + 2000);
    expect(
      (await alertsOf('andon-maintenance')).filter((a) => a.subject === 'press-02'),
    ).toHaveLength(2);
  });

  it('refuses an unknown station and a wrong window', async () => {
    expect((await call(ingest, admin, '/api/stations/nowhere/andon')).status).toBe(404);
    const bad = await call(
      ingest,
      mia,
      '/api/andon/response-times?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(bad.status).toBe(400);
    const window = 'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z';
    expect((await call(ingest, mia, `/api/andon/response-times?${window}&line=nope`)).status).toBe(
      404,
    );
    const both = await call(ingest, mia, `/api/andon/response-times?${window}&line=l&station=x`);
    expect(both.status).toBe(400);
    // A line's stations: both presses' calls (one at press-01, two at press-02 so far).
    const now = Date.now();
    const span = `from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 60_000).toISOString()}`;
    const line = await call(ingest, mia, `/api/andon/response-times?${span}&line=l`);
    expect(line.status).toBe(200);
    const counts = (line.body as { calls: { call: string; count: number }[] }).calls;
    expect(counts.find((c) => c.call === 'maintenance')?.count).toBe(3);
  });
});

describe('andon calls across a restart', () => {
  it('a call committed but not opened before a stop opens after the restart', async () => {
    const databaseUrl = await createTestDatabase('takt_andon_restart');
    let entered!: () => void;
    const held = new Promise<void>((resolve) => (entered = resolve));
    // The andon consumer is held on the call's commit until ingest stops.
    const first = await start(databaseUrl, 'ingest-andon-r', {
      beforeAttempt: async (a) => {
        if (a.consumer !== 'andon' || !a.event?.scans.length) return;
        entered();
        if (!a.signal.aborted)
          await new Promise((resolve) => a.signal.addEventListener('abort', resolve));
        throw new Error('ingest stopped');
      },
    });
    const gw = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
    const ts = Date.now() - 10_000;
    try {
      await first.subscribed;
      await publishCall(gw, 'gw-r', 'press-01', { seq: 1, ts, call: 'maintenance' });
      await held;
      const { rows } = await first.pool.query(`SELECT 1 FROM alerts`);
      expect(rows).toHaveLength(0); // committed, not opened
    } finally {
      await gw.endAsync();
      await first.stop();
    }
    const second = await start(databaseUrl, 'ingest-andon-r');
    try {
      const admin = await signedIn(second.pool, 'admin');
      // The station's calls wait for the andon consumer, whose catch-up runs first.
      const view = (await call(second, admin, '/api/stations/press-01/andon')).body as StationCalls;
      expect(view.calls[0]).toMatchObject({
        state: 'called',
        calledAt: new Date(ts).toISOString(),
      });
    } finally {
      await second.stop();
    }
  });
});
