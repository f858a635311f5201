import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createUser, startIngest, type RunningIngest } from '../../src';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Issue 20, changes with a trail, through the real HTTP API, PostgreSQL and MQTT scans:
 * PATCH / hold / resume / cancel / split, each listed in the order's history with before,
 * after and the user, and refused with a reason in the reader's language where it makes no
 * sense (docs/decisions.md, "Issue 20 — order changes and their trail").
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let seq = 1;
let manager: { authorization: string };
const MANAGER = 'mgr-lin';

async function call(method: string, path: string, body?: unknown, headers = manager) {
  const response = await fetch(`${ingest.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as any };
}

async function scan(station: string, ts: number, body: Record<string, unknown>) {
  const payload = encodePayload('scan', { v: 1, seq: seq++, ts, ...body } as never);
  await gw.publishAsync(topics.machine('prod-site', 'gw-changes', station, 'scan'), payload, {
    qos: 1,
  });
}

async function until(what: string, sql: string, params: unknown[], expected: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await ingest.pool.query<{ n: string }>(sql, params);
    if (String(rows[0]!.n) === expected) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${rows[0]!.n}, expected ${expected}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const eventsOf = (order: string, kind: string, n: number) =>
  until(
    `${kind} events of ${order}`,
    'SELECT count(*) AS n FROM work_order_events WHERE work_order_id = $1 AND kind = $2',
    [order, kind],
    String(n),
  );

const create = (id: string, quantity: number, operations: { id: string; machine: string }[]) =>
  call('POST', '/api/work-orders', { id, product: 'part-a', quantity, operations });

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_order_changes'),
    mqtt: { url, clientId: 'ingest-order-changes' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/production-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  const user = await createUser(ingest.pool, MANAGER, 'manager', 'x');
  manager = {
    authorization: `Bearer ${(await createSession(ingest.pool, user!.id, 3_600_000)).token}`,
  };
  gw = await mqtt.connectAsync(url);
}, 120_000);

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('PATCH /api/work-orders/:id', () => {
  it('changes the quantity and the history lists it with before, after and the user', async () => {
    expect((await create('WO-Q', 100, [{ id: 'OP10', machine: 'asm-1' }])).status).toBe(201);
    const patched = await call('PATCH', '/api/work-orders/WO-Q', { quantity: 120 });
    expect(patched).toEqual({
      status: 200,
      body: { id: 'WO-Q', changes: [{ field: 'quantity', before: 100, after: 120 }] },
    });
    expect((await call('GET', '/api/work-orders/WO-Q')).body.quantity).toBe(120);
    const history = await call('GET', '/api/work-orders/WO-Q/history');
    const change = history.body.events.find((e: { kind: string }) => e.kind === 'changed');
    expect(change).toMatchObject({
      kind: 'changed',
      change: 'edit',
      by: MANAGER,
      before: { quantity: 100 },
      after: { quantity: 120 },
      detail: { change: 'edit', by: MANAGER, source: 'api' },
    });
    expect(Date.parse(change.time)).toBeGreaterThan(Date.now() - 5 * MIN);
  });

  it('changes due date, priority and customer in one change, and nothing when nothing differs', async () => {
    const due = '2026-12-24T08:00:00.000Z';
    const patched = await call('PATCH', '/api/work-orders/WO-Q', {
      dueAt: due,
      priority: 5,
      customer: 'ACME',
    });
    expect(patched.body.changes).toEqual([
      { field: 'dueAt', before: null, after: due },
      { field: 'priority', before: 0, after: 5 },
      { field: 'customer', before: null, after: 'ACME' },
    ]);
    const again = await call('PATCH', '/api/work-orders/WO-Q', { priority: 5 });
    expect(again).toEqual({ status: 200, body: { id: 'WO-Q', changes: [] } });
    const history = await call('GET', '/api/work-orders/WO-Q/history');
    expect(history.body.events.filter((e: { kind: string }) => e.kind === 'changed')).toHaveLength(
      2,
    );
  });

  it('answers 400 for an empty or malformed body and 404 for an unknown order', async () => {
    expect((await call('PATCH', '/api/work-orders/WO-Q', {})).status).toBe(400);
    expect((await call('PATCH', '/api/work-orders/WO-Q', { quantity: -1 })).status).toBe(400);
    expect((await call('PATCH', '/api/work-orders/WO-NONE', { quantity: 5 })).status).toBe(404);
  });

  it('refuses a quantity below what is made, in the language asked', async () => {
    await create('WO-M', 50, [{ id: 'OP10', machine: 'asm-1' }]);
    const ts = Date.now() - 10 * MIN;
    await scan('asm-1', ts, {
      code: 'WO-M/OP10',
      workOrder: 'WO-M',
      operation: 'OP10',
      action: 'start',
    });
    await scan('asm-1', ts + 1000, {
      code: 'QTY',
      workOrder: 'WO-M',
      operation: 'OP10',
      action: 'good',
      quantity: 30,
    });
    await eventsOf('WO-M', 'count', 1);
    const refused = await call('PATCH', '/api/work-orders/WO-M?lang=zh-CN', { quantity: 20 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'INGEST_ERR_ORDER_CHANGE',
      messageKey: 'orders.quantityBelowMade',
      messageParams: { order: 'WO-M', quantity: 20, made: 30 },
      message: '数量 20 少于订单 WO-M 已完成的 30 件',
    });
    const english = await call('PATCH', '/api/work-orders/WO-M', { quantity: 20 });
    expect(english.body.message).toBe(
      'Quantity 20 is below the 30 pieces order WO-M has already made',
    );
    expect((await call('PATCH', '/api/work-orders/WO-M', { quantity: 30 })).status).toBe(200);
  });

  it('changes the routing of operations not yet started and refuses touching a started one', async () => {
    await create('WO-R', 10, [
      { id: 'OP10', machine: 'asm-1' },
      { id: 'OP20', machine: 'asm-1' },
    ]);
    await scan('asm-1', Date.now() - 5 * MIN, {
      code: 'WO-R/OP10',
      workOrder: 'WO-R',
      operation: 'OP10',
      action: 'start',
    });
    await eventsOf('WO-R', 'scan', 1);
    const removed = await call('PATCH', '/api/work-orders/WO-R', {
      routing: [{ id: 'OP20', machine: 'asm-1' }],
    });
    expect(removed.status).toBe(409);
    expect(removed.body.messageKey).toBe('orders.operationStarted');
    const moved = await call('PATCH', '/api/work-orders/WO-R', {
      routing: [
        { id: 'OP10', machine: 'cnt-1' },
        { id: 'OP20', machine: 'asm-1' },
      ],
    });
    expect(moved.body.messageKey).toBe('orders.operationStarted');
    const added = await call('PATCH', '/api/work-orders/WO-R', {
      routing: [
        { id: 'OP10', machine: 'asm-1' },
        { id: 'OP15', machine: 'cnt-1' },
        { id: 'OP20', machine: 'mix-1' },
      ],
    });
    expect(added.status).toBe(200);
    const view = await call('GET', '/api/work-orders/WO-R');
    expect(
      view.body.operations.map((o: { id: string; machine: string; status: string }) => [
        o.id,
        o.machine,
        o.status,
      ]),
    ).toEqual([
      ['OP10', 'asm-1', 'running'],
      ['OP15', 'cnt-1', 'pending'],
      ['OP20', 'mix-1', 'pending'],
    ]);
    const dup = await call('PATCH', '/api/work-orders/WO-R', {
      routing: [
        { id: 'OP10', machine: 'asm-1' },
        { id: 'OP15', machine: 'cnt-1' },
        { id: 'OP15', machine: 'mix-1' },
      ],
    });
    expect(dup.body.messageKey).toBe('orders.duplicateOperation');
  });
});

describe('hold, resume and cancel', () => {
  it('holds an order: status held, no ETA, station scans refused; resume lets them in', async () => {
    await create('WO-H', 20, [{ id: 'OP10', machine: 'asm-1' }]);
    const held = await call('POST', '/api/work-orders/WO-H/hold', { reason: 'customer asked' });
    expect(held).toEqual({
      status: 200,
      body: { id: 'WO-H', changes: [{ field: 'held', before: false, after: true }] },
    });
    const view = (await call('GET', '/api/work-orders/WO-H')).body;
    expect(view).toMatchObject({
      status: 'held',
      eta: null,
      held: { by: MANAGER, reason: 'customer asked' },
    });
    expect(
      (await call('POST', '/api/work-orders/WO-H/hold', { reason: 'again' })).body.messageKey,
    ).toBe('orders.alreadyHeld');
    await scan('asm-1', Date.now(), {
      code: 'WO-H/OP10',
      workOrder: 'WO-H',
      operation: 'OP10',
      action: 'start',
    });
    await eventsOf('WO-H', 'refused', 1);
    const history = (await call('GET', '/api/work-orders/WO-H/history')).body.events;
    expect(history.find((e: { kind: string }) => e.kind === 'refused').detail).toMatchObject({
      refusal: 'order-held',
    });
    expect(history.find((e: { kind: string }) => e.kind === 'changed')).toMatchObject({
      change: 'hold',
      by: MANAGER,
      detail: { reason: 'customer asked' },
    });

    expect((await call('POST', '/api/work-orders/WO-H/resume')).status).toBe(200);
    expect((await call('POST', '/api/work-orders/WO-H/resume')).body.messageKey).toBe(
      'orders.notHeld',
    );
    await scan('asm-1', Date.now() + 1000, {
      code: 'WO-H/OP10',
      workOrder: 'WO-H',
      operation: 'OP10',
      action: 'start',
    });
    await eventsOf('WO-H', 'scan', 1);
    expect((await call('GET', '/api/work-orders/WO-H')).body.status).toBe('in_progress');
  });

  it('cancels with a reason: off the open list, every later change refused', async () => {
    await create('WO-X', 5, [{ id: 'OP10', machine: 'cnt-1' }]);
    expect((await call('POST', '/api/work-orders/WO-X/cancel', {})).status).toBe(400);
    const cancelled = await call('POST', '/api/work-orders/WO-X/cancel', { reason: 'duplicate' });
    expect(cancelled.status).toBe(200);
    const view = (await call('GET', '/api/work-orders/WO-X')).body;
    expect(view).toMatchObject({
      status: 'cancelled',
      lateRisk: false,
      cancelled: { reason: 'duplicate' },
    });
    const open = (await call('GET', '/api/work-orders')).body.map((o: { id: string }) => o.id);
    expect(open).toContain('WO-Q');
    expect(open).not.toContain('WO-X');
    const listed = (await call('GET', '/api/work-orders?status=cancelled')).body;
    expect(listed.map((o: { id: string }) => o.id)).toEqual(['WO-X']);
    for (const [method, path, body] of [
      ['PATCH', '/api/work-orders/WO-X', { quantity: 9 }],
      ['POST', '/api/work-orders/WO-X/hold', { reason: 'x' }],
      ['POST', '/api/work-orders/WO-X/cancel', { reason: 'x' }],
      ['POST', '/api/work-orders/WO-X/split', { quantity: 1 }],
    ] as const) {
      const refused = await call(method, path, body);
      expect([refused.status, refused.body.messageKey]).toEqual([409, 'orders.cancelled']);
    }
  });
});

describe('split', () => {
  it('keeps the pieces made on the original and moves the rest with the operations not done', async () => {
    await create('WO-S', 100, [
      { id: 'OP10', machine: 'asm-1' },
      { id: 'OP20', machine: 'mix-1' },
    ]);
    const ts = Date.now() - 20 * MIN;
    await scan('asm-1', ts, {
      code: 'WO-S/OP10',
      workOrder: 'WO-S',
      operation: 'OP10',
      action: 'start',
    });
    await scan('asm-1', ts + 1000, {
      code: 'QTY',
      workOrder: 'WO-S',
      operation: 'OP10',
      action: 'good',
      quantity: 100,
    });
    await scan('asm-1', ts + 2000, {
      code: 'WO-S/OP10',
      workOrder: 'WO-S',
      operation: 'OP10',
      action: 'complete',
    });
    await scan('mix-1', ts + 3000, {
      code: 'WO-S/OP20',
      workOrder: 'WO-S',
      operation: 'OP20',
      action: 'start',
    });
    await scan('mix-1', ts + 4000, {
      code: 'QTY',
      workOrder: 'WO-S',
      operation: 'OP20',
      action: 'good',
      quantity: 40,
    });
    await eventsOf('WO-S', 'count', 2);

    const tooMany = await call('POST', '/api/work-orders/WO-S/split?lang=zh-CN', { quantity: 70 });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.messageKey).toBe('orders.splitTooMany');
    expect(tooMany.body.message).toContain('剩余 30 件');

    const split = await call('POST', '/api/work-orders/WO-S/split', { quantity: 60 });
    expect(split).toEqual({
      status: 201,
      body: {
        id: 'WO-S',
        newId: 'WO-S-2',
        changes: [{ field: 'quantity', before: 100, after: 40 }],
      },
    });
    const original = (await call('GET', '/api/work-orders/WO-S')).body;
    expect(original).toMatchObject({ quantity: 40, good: 40 });
    const part = (await call('GET', '/api/work-orders/WO-S-2')).body;
    expect(part).toMatchObject({ quantity: 60, good: 0, splitFrom: 'WO-S', product: 'part-a' });
    expect(part.operations.map((o: { id: string; status: string }) => [o.id, o.status])).toEqual([
      ['OP20', 'pending'],
    ]);
    const history = (await call('GET', '/api/work-orders/WO-S-2/history')).body.events;
    expect(
      history.find(
        (e: { kind: string; from: string | null }) => e.kind === 'changed' && e.from === null,
      ),
    ).toMatchObject({
      change: 'split',
      by: MANAGER,
      detail: { from: 'WO-S', moved: 60 },
    });
    // Both keep the history: the new part lists its origin's scans, marked with their order.
    expect(
      history
        .filter((e: { from: string | null }) => e.from === 'WO-S')
        .map((e: { kind: string }) => e.kind),
    ).toContain('scan');
    // Nothing left to split off WO-S (40 made of 40); WO-Q can, but not into a taken id.
    const taken = await call('POST', '/api/work-orders/WO-Q/split', {
      quantity: 1,
      newId: 'WO-S-2',
    });
    expect(taken.body.messageKey).toBe('orders.splitIdTaken');
  });

  it('refuses to split a finished order', async () => {
    await create('WO-F', 2, [{ id: 'OP10', machine: 'asm-1' }]);
    const ts = Date.now() - 30 * MIN;
    await scan('asm-1', ts, {
      code: 'WO-F/OP10',
      workOrder: 'WO-F',
      operation: 'OP10',
      action: 'start',
    });
    await scan('asm-1', ts + 1000, {
      code: 'WO-F/OP10',
      workOrder: 'WO-F',
      operation: 'OP10',
      action: 'complete',
    });
    await eventsOf('WO-F', 'scan', 2);
    const refused = await call('POST', '/api/work-orders/WO-F/split', { quantity: 1 });
    expect([refused.status, refused.body.messageKey]).toEqual([409, 'orders.completed']);
  });
});
