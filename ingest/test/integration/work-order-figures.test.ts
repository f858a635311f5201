import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { alertRuleSchema, encodePayload, topics, type PayloadByKind } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { AlertEngine } from '../../src/alerts/engine';
import { pollWorkOrders } from '../../src/alerts/polled';
import { AlertWatcher } from '../../src/alerts/stream';
import { listOrders, orderView } from '../../src/queries/orders';
import { loadOrder } from '../../src/work-orders/store';
import { customerToken, signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Issue 15, items 1, 5 and 7 through the real pipeline (MQTT -> ingest -> PostgreSQL -> API):
 * a two-operation order read alike by every screen and the alerts, output targets that
 * follow the order's product, and counts served as JSON numbers.
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;
const H = 60 * MIN;
const T = Date.now();
const at = (day: number, hhmm: string) =>
  Date.UTC(2026, 10, day) + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * MIN;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let seq = 1;
let auth: { authorization: string };

type Kind = 'state' | 'count' | 'scan';
async function send(machine: string, kind: Kind, ts: number, body: Record<string, unknown>) {
  const payload = encodePayload(kind, { v: 1, seq: seq++, ts, ...body } as PayloadByKind[Kind]);
  await gw.publishAsync(topics.machine('prod-site', 'gw-orders', machine, kind), payload, {
    qos: 1,
  });
}
const scan = (machine: string, ts: number, order: string, action: string) =>
  send(machine, 'scan', ts, { code: `${order}/OP10`, workOrder: order, operation: 'OP10', action });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
async function api(path: string, init: RequestInit = {}, headers = auth): Promise<any> {
  const response = await fetch(`${ingest.url}${path}`, {
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
  });
  expect(response.status).toBeLessThan(300);
  return response.json();
}

async function until(what: string, sql: string, expected: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await ingest.pool.query<{ n: string }>(sql);
    if (String(rows[0]!.n) === expected) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${rows[0]!.n}, expected ${expected}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const scansApplied = (n: number) =>
  until('scans', "SELECT count(*) AS n FROM work_order_events WHERE kind = 'scan'", String(n));

const createOrder = (body: Record<string, unknown>) =>
  api('/api/work-orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_order_figures'),
    mqtt: { url, clientId: 'ingest-order-figures' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/production-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'manager');
  gw = await mqtt.connectAsync(url);

  // WO-M: 2,000 of part-a (1 s ideal), OP10 on cnt-1 then OP20 on asm-1, due in 3 h: about
  // 75 min of work, plus a 30 min break when one falls in the next hours (the test runs at
  // any time of day; at 01:00 UTC the 02:00 break made a 90 min due date late).
  await createOrder({
    id: 'WO-M',
    product: 'part-a',
    quantity: 2000,
    customer: 'ACME',
    dueAt: new Date(T + 3 * H).toISOString(),
    operations: [
      { id: 'OP10', machine: 'cnt-1' },
      { id: 'OP20', machine: 'asm-1' },
    ],
  });
  await scan('cnt-1', T - 2 * H, 'WO-M', 'start');
  await scansApplied(1);
  await send('cnt-1', 'count', T - 65 * MIN, { good: 0, reject: 0 }); // the counter's baseline
  await send('cnt-1', 'count', T - 5 * MIN, { good: 1200, reject: 0 });
  await until(
    'counts attributed',
    "SELECT count(*) AS n FROM work_order_events WHERE kind = 'count' AND good = 1200",
    '1',
  );

  // WO-OUT: part-b (2 s ideal) on night-1 (default part-a, 1 s), 07:00-07:30 on Nov 20.
  await createOrder({
    id: 'WO-OUT',
    product: 'part-b',
    quantity: 900,
    operations: [{ id: 'OP10', machine: 'night-1' }],
  });
  await send('night-1', 'state', at(20, '06:00'), { state: 'running', code: 1 });
  await scan('night-1', at(20, '07:00'), 'WO-OUT', 'start');
  await scan('night-1', at(20, '07:30'), 'WO-OUT', 'complete');
  await scansApplied(3);
}, 120_000);

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('an order with several operations (issue 15, item 1)', () => {
  // Issue 21: the ETA is the plan's promise (docs/decisions.md "Issue 21 — the plan in
  // ingest, the single ETA"): the plan, once it knows OP10's 1,200 pieces, and the page agree.
  const plannedWoM = () =>
    waitFor('the plan of WO-M with its counts', async () => {
      const plan = await api('/api/plan');
      const op10 = plan.operations.find(
        (o: { order: string; operation: string }) => o.order === 'WO-M' && o.operation === 'OP10',
      );
      return (
        op10?.remaining === 800 && plan.orders.find((o: { order: string }) => o.order === 'WO-M')
      );
    });

  it('gives an ETA over the whole routing, progress per operation, not stalled', async () => {
    const planned = await plannedWoM();
    const view = await waitFor('the page with the promise', async () => {
      const v = await api('/api/work-orders/WO-M');
      return v.eta === planned.promisedAt && v;
    });
    expect(view.promisedAt).toBe(planned.promisedAt);
    expect(view).toMatchObject({
      status: 'in_progress',
      good: 0,
      progress: 0,
      stalled: false,
      lateRisk: false,
      health: { score: 100 },
    });
    expect(
      view.operations.map((o: Record<string, unknown>) => [o.id, o.good, o.progress, o.rateSource]),
    ).toEqual([
      ['OP10', 1200, 0.6, 'recent'],
      ['OP20', 0, 0, 'ideal'],
    ]);
  });

  it('shows the same figures on the board list, the customer page and the alerts', async () => {
    const [listed] = (await api('/api/work-orders')).filter((o: { id: string }) => o.id === 'WO-M');
    expect(listed).toMatchObject({ stalled: false, lateRisk: false, health: { score: 100 } });
    expect(listed.operations.map((o: { progress: number }) => o.progress)).toEqual([0.6, 0]);

    const token = await customerToken(ingest.pool, 'ACME');
    const tracked = await api('/api/track/orders/WO-M', {}, { authorization: `Bearer ${token}` });
    expect(tracked).toMatchObject({ progress: 0, lateRisk: false });
    expect(tracked.eta).toBe((await plannedWoM()).promisedAt);
    expect(listed.eta).toBe(tracked.eta);
    expect(tracked.stages.map((s: { progress: number }) => s.progress)).toEqual([0.6, 0]);

    const rules = [
      { id: 'stall', kind: 'work-order-stalled', forH: 2 },
      { id: 'late', kind: 'work-order-late' },
    ].map((r) => alertRuleSchema.parse(r));
    const watcher = new AlertWatcher(new AlertEngine(rules, 'UTC'), T);
    const effects = await pollWorkOrders(ingest.pool, watcher, Date.now());
    expect(effects.filter((e) => e.alert.subject === 'WO-M')).toEqual([]);
  });

  it('lists each order as its own view gives it (the page read at once)', async () => {
    const now = Date.now();
    const listed = await listOrders(ingest.pool, { limit: 500 }, now);
    expect(listed.length).toBeGreaterThan(0);
    for (const view of listed) {
      const record = await loadOrder(ingest.pool, view.id);
      expect(view).toEqual(await orderView(ingest.pool, record!, now));
    }
    expect((await listOrders(ingest.pool, { limit: 1 }, now)).map((o) => o.id)).toEqual([
      listed[0]!.id,
    ]);
  });
});

describe('output targets follow the running order (issue 15, item 5)', () => {
  it("counts the hour of an order at its product's ideal cycle, pro rata", async () => {
    const out = await api(
      `/api/output?machine=night-1&from=${new Date(at(20, '07:00')).toISOString()}&to=${new Date(at(20, '09:00')).toISOString()}`,
    );
    // 07:00: 30 min of part-b at 2 s (900) + 30 min of part-a at 1 s (1,800); 08:00: part-a.
    expect(out.hours.map((h: { target: number }) => h.target)).toEqual([2700, 3600]);
  });
});

describe('JSON numbers are numbers (issue 15, item 7)', () => {
  it("serves an order's counts as numbers, in its view and its history", async () => {
    const view = await api('/api/work-orders/WO-M');
    const count = view.history.find((h: { kind: string }) => h.kind === 'count');
    expect(count).toMatchObject({ good: 1200, rejected: 0 });
    const history = await api('/api/work-orders/WO-M/history');
    expect(history.counts).toEqual([
      expect.objectContaining({ operation: 'OP10', good: 1200, rejected: 0 }),
    ]);
  });
});
