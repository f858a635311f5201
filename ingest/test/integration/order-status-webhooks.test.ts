import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics, type PayloadByKind } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startIngest, type RunningIngest } from '../../src';
import { withTransaction } from '../../src/db/transaction';
import { setOrderState } from '../../src/work-orders/changes';
import { signedIn } from '../helpers/auth';
import {
  LOOPBACK_WEBHOOKS,
  startWebhookReceiver,
  type ReceivedRequest,
} from '../helpers/receivers';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Order status webhooks (docs/decisions.md "Issue 20 — the Import page, exports and order
 * status webhooks"): signed like the generic alert webhook, each event once and in order per
 * receiver, through an outbox that survives a restart.
 */
const log = pino({ level: 'silent' });
const SECRET = 'erp-hook-secret';
const MIN = 60_000;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let seq = 1;
let auth: { authorization: string };
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let databaseUrl: string;
let plantFile: string;
let mqttUrl: string;

const start = async () => {
  ingest = await startIngest({
    databaseUrl,
    mqtt: { url: mqttUrl, clientId: 'ingest-order-hooks' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile,
    batch: { maxItems: 100, maxDelayMs: 20 },
    alerts: {
      tickMs: 100,
      pollMs: 300,
      delivery: { attempts: 5, baseDelayMs: 100, timeoutMs: 2000 },
      env: { ...LOOPBACK_WEBHOOKS, ERP_HOOK_URL: receiver.url, ERP_HOOK_SECRET: SECRET },
    },
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'manager');
};

async function scan(machine: string, order: string, op: string, action: string) {
  const body = { code: `${order}/${op}`, workOrder: order, operation: op, action };
  const payload = encodePayload('scan', {
    v: 1,
    seq: seq++,
    ts: Date.now(),
    ...body,
  } as PayloadByKind['scan']);
  await gw.publishAsync(topics.machine('prod-site', 'gw-hooks', machine, 'scan'), payload, {
    qos: 1,
  });
}

async function createOrder(id: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${ingest.url}/api/work-orders`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      id,
      product: 'part-a',
      quantity: 10,
      customer: 'ACME',
      operations: [{ id: 'OP10', machine: 'cnt-1' }],
      ...extra,
    }),
  });
  expect(response.status).toBe(201);
}

const eventsOf = (order: string) =>
  receiver.received
    .filter((r) => (r.json as { order?: string }).order === order)
    .map((r) => (r.json as { event: string }).event);

async function until(what: string, check: () => boolean) {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
/** Proves nothing more came for `order`: a marker order's `released` arrives after it. */
let markers = 0;
async function settled() {
  const marker = `WO-MARK-${++markers}`;
  await createOrder(marker);
  await until(marker, () => eventsOf(marker).includes('released'));
}

const verify = (r: ReceivedRequest) => {
  const ts = String(r.headers['x-takt-timestamp']);
  const expected = createHmac('sha256', SECRET).update(`${ts}.${r.body}`).digest('hex');
  return r.headers['x-takt-signature'] === `sha256=${expected}`;
};

const change = (id: string, what: 'hold' | 'resume' | 'cancel') =>
  withTransaction(ingest.pool, (client) =>
    setOrderState(client, id, what, { by: 'u-manager', source: 'api' }, 'customer asked'),
  );

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  mqttUrl = `mqtt://127.0.0.1:${broker.port}`;
  receiver = await startWebhookReceiver();
  databaseUrl = await createTestDatabase('takt_order_hooks');
  const plant = parse(
    await readFile(join(import.meta.dirname, '../fixtures/production-plant.yaml'), 'utf8'),
  ) as Record<string, unknown>;
  plant.orders = {
    statusWebhooks: [{ id: 'erp', urlEnv: 'ERP_HOOK_URL', secretEnv: 'ERP_HOOK_SECRET' }],
  };
  plantFile = join(await mkdtemp(join(tmpdir(), 'takt-hooks-')), 'plant.yaml');
  await writeFile(plantFile, stringify(plant));
  await start();
  gw = await mqtt.connectAsync(mqttUrl);
}, 120_000);

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
  await receiver?.stop();
});

describe('order status webhooks', () => {
  it('sends released, started and completed once each, in order, signed', async () => {
    await createOrder('WO-W');
    await until('released', () => eventsOf('WO-W').includes('released'));
    await scan('cnt-1', 'WO-W', 'OP10', 'start');
    await until('started', () => eventsOf('WO-W').includes('started'));
    await scan('cnt-1', 'WO-W', 'OP10', 'complete');
    await until('completed', () => eventsOf('WO-W').includes('completed'));
    await settled();
    expect(eventsOf('WO-W')).toEqual(['released', 'started', 'completed']);
    const mine = receiver.received.filter((r) => (r.json as { order: string }).order === 'WO-W');
    for (const r of mine) {
      expect(verify(r)).toBe(true);
      expect(r.headers['x-takt-event']).toBe(`order.${(r.json as { event: string }).event}`);
    }
    expect(mine[2]!.json).toMatchObject({
      order: 'WO-W',
      product: 'part-a',
      customer: 'ACME',
      quantity: 10,
    });
    // A tampered body does not verify.
    expect(verify({ ...mine[0]!, body: mine[0]!.body.replace('WO-W', 'WO-X') })).toBe(false);
  });

  it('sends held, resumed and cancelled after changes made through the order changes', async () => {
    await createOrder('WO-H');
    await until('released', () => eventsOf('WO-H').includes('released'));
    expect(await change('WO-H', 'hold')).toHaveProperty('changes');
    await until('held', () => eventsOf('WO-H').includes('held'));
    await change('WO-H', 'resume');
    await until('resumed', () => eventsOf('WO-H').includes('resumed'));
    await change('WO-H', 'cancel');
    await until('cancelled', () => eventsOf('WO-H').includes('cancelled'));
    await settled();
    expect(eventsOf('WO-H')).toEqual(['released', 'held', 'resumed', 'cancelled']);
  });

  it('sends late-risk when an order can no longer make its due date', async () => {
    await createOrder('WO-LATE', { dueAt: new Date(Date.now() - MIN).toISOString() });
    await until('late-risk', () => eventsOf('WO-LATE').includes('late-risk'));
    await settled();
    expect(eventsOf('WO-LATE')).toEqual(['released', 'late-risk']);
  });

  it('keeps what a stopped receiver missed and sends it after a restart, once', async () => {
    const before = receiver.received.length;
    const { url } = receiver;
    await receiver.stop();
    await createOrder('WO-R');
    const failed = async () =>
      (
        await ingest.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM order_status_outbox WHERE work_order_id = 'WO-R' AND attempts > 0 AND state = 'pending'",
        )
      ).rows[0]!.n === '1';
    const deadline = Date.now() + 20_000;
    while (!(await failed())) {
      if (Date.now() > deadline) throw new Error('no failed attempt');
      await new Promise((r) => setTimeout(r, 25));
    }
    await ingest.stop();
    receiver = await startWebhookReceiver({ port: Number(new URL(url).port) });
    await start();
    await until('released after restart', () => eventsOf('WO-R').includes('released'));
    await settled();
    expect(eventsOf('WO-R')).toEqual(['released']);
    // Nothing delivered before the restart came again.
    expect(receiver.received.some((r) => (r.json as { order: string }).order === 'WO-W')).toBe(
      false,
    );
    expect(before).toBeGreaterThan(0);
  });
});
