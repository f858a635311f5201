import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createUser, startIngest, type RunningIngest } from '../../src';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Issue 23, nonconformance and rework, through the real HTTP API, PostgreSQL and MQTT scans:
 * an NC opened from rejected pieces, its disposition, pieces reworked counted good once at the
 * rework's time (a re-fold keeps them), use-as-is with a manager's approval, an inspection
 * NC, the list, the summary, the order's view and first-pass yield (docs/decisions.md,
 * "Issue 23 — nonconformance and rework").
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let seq = 1;
type Headers = { authorization: string };
let manager: Headers;
let operator: Headers;
const MANAGER = 'mgr-ma';
const OPERATOR = 'op-li';
const T0 = Date.now() - 30 * MIN;

async function call(method: string, path: string, body?: unknown, headers = operator) {
  const response = await fetch(`${ingest.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as any };
}

async function scan(ts: number, body: Record<string, unknown>) {
  const payload = encodePayload('scan', { v: 1, seq: seq++, ts, ...body } as never);
  await gw.publishAsync(topics.machine('prod-site', 'gw-nc', 'asm-1', 'scan'), payload, { qos: 1 });
}

async function pieces(order: string, operation = 'OP10') {
  const { rows } = await ingest.pool.query<{ good: string; rejected: string }>(
    'SELECT good, rejected FROM work_order_operations WHERE work_order_id = $1 AND id = $2',
    [order, operation],
  );
  return { good: Number(rows[0]!.good), rejected: Number(rows[0]!.rejected) };
}

const ncCount = async () =>
  Number((await ingest.pool.query('SELECT count(*) AS n FROM nonconformances')).rows[0].n);

/** An order on asm-1 with `good` pieces reported and `rejected` rejected for burr. */
async function orderWith(id: string, good: number, rejected: number) {
  const created = await call(
    'POST',
    '/api/work-orders',
    { id, product: 'part-a', quantity: 100, operations: [{ id: 'OP10', machine: 'asm-1' }] },
    manager,
  );
  expect(created.status).toBe(201);
  const code = `${id}/OP10`;
  await scan(T0, { code, workOrder: id, operation: 'OP10', action: 'start' });
  await scan(T0 + 1000, {
    code: 'QTY',
    workOrder: id,
    operation: 'OP10',
    action: 'good',
    quantity: good,
  });
  if (rejected > 0)
    await scan(T0 + 2000, {
      code: 'REJ',
      workOrder: id,
      operation: 'OP10',
      action: 'reject',
      quantity: rejected,
      reason: 'burr',
    });
  await waitFor(`${id} counted`, async () => {
    const p = await pieces(id);
    return p.good === good && p.rejected === rejected;
  });
}

const openReject = (order: string, quantity: number, headers = operator) =>
  call(
    'POST',
    '/api/nonconformances',
    { workOrder: order, operation: 'OP10', quantity, reason: 'burr', source: 'reject' },
    headers,
  );

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_nonconformance'),
    mqtt: { url, clientId: 'ingest-nc' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/production-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  const session = async (name: string, role: 'manager' | 'operator') => {
    const user = await createUser(ingest.pool, name, role, 'x');
    return {
      authorization: `Bearer ${(await createSession(ingest.pool, user!.id, 3_600_000)).token}`,
    };
  };
  manager = await session(MANAGER, 'manager');
  operator = await session(OPERATOR, 'operator');
  gw = await mqtt.connectAsync(url);
  await orderWith('WO-N', 20, 5);
}, 120_000);

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('POST /api/nonconformances', () => {
  it('opens an NC for rejected pieces with the order, product, machine and who opened it', async () => {
    const opened = await openReject('WO-N', 3);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      workOrder: 'WO-N',
      operation: 'OP10',
      product: 'part-a',
      machine: 'asm-1',
      quantity: 3,
      reason: 'burr',
      source: 'reject',
      status: 'open',
      disposition: null,
      inRework: 0,
      openedBy: OPERATOR,
      changes: [{ change: 'open', by: OPERATOR, detail: { quantity: 3, reason: 'burr' } }],
    });
    // Rejected pieces already count as rejected: opening moves nothing.
    expect(await pieces('WO-N')).toEqual({ good: 20, rejected: 5 });
  });

  it('refuses bad input with the reason and stores nothing', async () => {
    const before = await ncCount();
    const body = {
      workOrder: 'WO-N',
      operation: 'OP10',
      quantity: 1,
      reason: 'burr',
      source: 'reject',
    };
    const unknownReason = await call('POST', '/api/nonconformances', { ...body, reason: 'dent' });
    expect(unknownReason.status).toBe(400);
    expect(unknownReason.body).toMatchObject({
      messageKey: 'nc.unknownReason',
      message: 'Reject reason dent is not in the plant model',
    });
    // 5 rejected, 3 held by the first NC: 2 are free.
    const tooMany = await call('POST', '/api/nonconformances?lang=zh-CN', { ...body, quantity: 3 });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body).toMatchObject({
      code: 'INGEST_ERR_NC',
      messageKey: 'nc.exceedsRejected',
      messageParams: { free: 2, quantity: 3 },
      message: '订单 WO-N 工序 OP10 只有 2 件不良品未登记不合格，3 件过多',
    });
    expect((await call('POST', '/api/nonconformances', { ...body, quantity: 1.5 })).status).toBe(
      400,
    );
    expect((await call('POST', '/api/nonconformances', { ...body, quantity: 0 })).status).toBe(400);
    expect((await call('POST', '/api/nonconformances', { ...body, source: 'guess' })).status).toBe(
      400,
    );
    expect((await call('POST', '/api/nonconformances', { ...body, extra: 1 })).status).toBe(400);
    expect(
      (await call('POST', '/api/nonconformances', { ...body, reason: undefined })).status,
    ).toBe(400);
    const noOrder = await call('POST', '/api/nonconformances', { ...body, workOrder: 'WO-NONE' });
    expect(noOrder).toMatchObject({ status: 404, body: { messageKey: 'nc.orderNotFound' } });
    const noOp = await call('POST', '/api/nonconformances', { ...body, operation: 'OP99' });
    expect(noOp).toMatchObject({ status: 400, body: { messageKey: 'nc.unknownOperation' } });
    expect(await ncCount()).toBe(before);
    expect(await pieces('WO-N')).toEqual({ good: 20, rejected: 5 });
  });
});

describe('disposition and rework', () => {
  it('sends pieces to rework, counts the reworked good once at the rework time, and closes when none is left', async () => {
    const [nc] = (await call('GET', '/api/nonconformances?workOrder=WO-N')).body;
    const rework = await call('POST', `/api/nonconformances/${nc.id}/disposition`, {
      disposition: 'rework',
    });
    expect(rework.body).toMatchObject({ status: 'rework', disposition: 'rework', inRework: 3 });
    const again = await call('POST', `/api/nonconformances/${nc.id}/disposition`, {
      disposition: 'scrap',
    });
    expect(again).toMatchObject({ status: 409, body: { messageKey: 'nc.notOpen' } });

    const view = await call('GET', '/api/work-orders/WO-N/nonconformances');
    expect(view.body.operations).toEqual([{ operation: 'OP10', inRework: 3, open: 1, count: 1 }]);

    const before = Date.now();
    const done = await call('POST', `/api/nonconformances/${nc.id}/rework`, { good: 2 });
    const after = Date.now();
    expect(done.body).toMatchObject({ status: 'rework', reworked: 2, inRework: 1 });
    expect(await pieces('WO-N')).toEqual({ good: 22, rejected: 3 });
    const { rows } = await ingest.pool.query<{ time: Date; good: string; rejected: string }>(
      `SELECT time, good, rejected FROM work_order_events
        WHERE work_order_id = 'WO-N' AND kind = 'count' AND detail->>'source' = 'rework'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.time.getTime()).toBeGreaterThanOrEqual(before);
    expect(rows[0]!.time.getTime()).toBeLessThanOrEqual(after);
    expect([Number(rows[0]!.good), Number(rows[0]!.rejected)]).toEqual([2, -2]);

    const tooMany = await call('POST', `/api/nonconformances/${nc.id}/rework`, {
      good: 1,
      scrapped: 1,
    });
    expect(tooMany).toMatchObject({
      status: 409,
      body: { messageKey: 'nc.reworkTooMany', messageParams: { left: 1, quantity: 2 } },
    });
    expect((await call('POST', `/api/nonconformances/${nc.id}/rework`, { good: 0 })).status).toBe(
      400,
    );
    const closed = await call('POST', `/api/nonconformances/${nc.id}/rework`, {
      good: 0,
      scrapped: 1,
    });
    expect(closed.body).toMatchObject({ status: 'closed', reworked: 2, scrapped: 1, inRework: 0 });
    expect(closed.body.closedAt).not.toBeNull();
    expect(closed.body.changes.map((c: { change: string }) => c.change)).toEqual([
      'open',
      'disposition',
      'rework',
      'rework',
    ]);
    expect(await pieces('WO-N')).toEqual({ good: 22, rejected: 3 });
    const late = await call('POST', `/api/nonconformances/${nc.id}/rework`, { good: 1 });
    expect(late).toMatchObject({ status: 409, body: { messageKey: 'nc.notInRework' } });
  });

  it('keeps reworked pieces once when a late scan re-derives the order from before them', async () => {
    // A hand report from before the rework reaches ingest now: the order is folded again from
    // its time, and the rework's count event stays, counted once.
    await scan(T0 + 3000, {
      code: 'QTY',
      workOrder: 'WO-N',
      operation: 'OP10',
      action: 'good',
      quantity: 4,
    });
    await waitFor('late pieces', async () => (await pieces('WO-N')).good === 26);
    expect(await pieces('WO-N')).toEqual({ good: 26, rejected: 3 });
    const { rows } = await ingest.pool.query(
      `SELECT 1 FROM work_order_events WHERE work_order_id = 'WO-N' AND detail->>'source' = 'rework'`,
    );
    expect(rows).toHaveLength(1);
  });

  it('gives first-pass yield in the weekly KPIs: reworked pieces are not good at first pass', async () => {
    const weekly = await call('GET', '/api/kpis/weekly?weeks=2&product=part-a', undefined, manager);
    expect(weekly.status).toBe(200);
    // The order's events start 30 min ago: in the first half hour of a plant week they lie in
    // two weeks, so the two are added up.
    type Week = { good: number; rejected: number; firstPassGood: number };
    const weeks = weekly.body.weeks as Week[];
    const sum = (k: keyof Week) => weeks.reduce((s, w) => s + w[k], 0);
    // WO-N: 29 made (24 + 5 rejected), 2 reworked good; 24 good at first pass.
    expect({
      good: sum('good'),
      rejected: sum('rejected'),
      firstPassGood: sum('firstPassGood'),
    }).toEqual({ good: 26, rejected: 3, firstPassGood: 24 });
    const week = weekly.body.weeks.at(-1);
    if (Date.parse(week.from) <= T0) expect(week.firstPassYield).toBeCloseTo(24 / 29, 10);
    expect(weekly.body.trends.firstPassYield.current).toBe(week.firstPassYield);
  });

  it('scraps an NC: the pieces stay rejected', async () => {
    await orderWith('WO-S', 10, 2);
    const nc = (await openReject('WO-S', 2)).body;
    const scrapped = await call('POST', `/api/nonconformances/${nc.id}/disposition`, {
      disposition: 'scrap',
      note: 'cracked',
    });
    expect(scrapped.body).toMatchObject({ status: 'closed', disposition: 'scrap', scrapped: 2 });
    expect(scrapped.body.changes[1]).toMatchObject({
      change: 'disposition',
      by: OPERATOR,
      detail: { disposition: 'scrap', note: 'cracked' },
    });
    expect(await pieces('WO-S')).toEqual({ good: 10, rejected: 2 });
  });
});

describe('use-as-is', () => {
  it('needs a manager or admin as approver, records the approver and counts the pieces good', async () => {
    await orderWith('WO-U', 10, 4);
    const nc = (await openReject('WO-U', 4)).body;
    const path = `/api/nonconformances/${nc.id}/disposition`;
    const noApprover = await call('POST', path, { disposition: 'use-as-is' });
    expect(noApprover.status).toBe(400);
    expect(noApprover.body.message).toContain('approver');
    const notManager = await call('POST', path, { disposition: 'use-as-is', approver: OPERATOR });
    expect(notManager).toMatchObject({
      status: 400,
      body: { messageKey: 'nc.approverNotManager' },
    });
    const unknown = await call('POST', path, { disposition: 'use-as-is', approver: 'nobody' });
    expect(unknown).toMatchObject({ status: 400, body: { messageKey: 'nc.approverNotManager' } });
    // An operator cannot record a manager's approval on their own.
    const named = await call('POST', path, { disposition: 'use-as-is', approver: MANAGER });
    expect(named).toMatchObject({ status: 409, body: { messageKey: 'nc.approverNotCaller' } });
    expect(await pieces('WO-U')).toEqual({ good: 10, rejected: 4 });

    const approved = await call(
      'POST',
      path,
      { disposition: 'use-as-is', approver: MANAGER, note: 'cosmetic only' },
      manager,
    );
    expect(approved.body).toMatchObject({
      status: 'closed',
      disposition: 'use-as-is',
      approver: MANAGER,
    });
    expect(approved.body.changes[1]).toMatchObject({ by: MANAGER, detail: { approver: MANAGER } });
    expect(await pieces('WO-U')).toEqual({ good: 14, rejected: 0 });
  });
});

describe('inspection NCs', () => {
  it('moves pieces that failed inspection from good to rejected, no more than were good', async () => {
    await orderWith('WO-I', 6, 0);
    const body = {
      workOrder: 'WO-I',
      operation: 'OP10',
      reason: 'burr',
      source: 'inspection',
      characteristic: 'shaft-diameter',
    };
    const tooMany = await call('POST', '/api/nonconformances', { ...body, quantity: 7 });
    expect(tooMany).toMatchObject({
      status: 409,
      body: { messageKey: 'nc.exceedsGood', messageParams: { good: 6 } },
    });
    const opened = await call('POST', '/api/nonconformances', { ...body, quantity: 2 });
    expect(opened.body).toMatchObject({ source: 'inspection', characteristic: 'shaft-diameter' });
    expect(await pieces('WO-I')).toEqual({ good: 4, rejected: 2 });
  });
});

describe('list and summary', () => {
  it('lists by status and order, newest first', async () => {
    const open = await call('GET', '/api/nonconformances?status=open');
    expect(open.body.map((n: { workOrder: string }) => n.workOrder)).toEqual(['WO-I']);
    const closed = await call('GET', '/api/nonconformances?status=closed');
    expect(closed.body.map((n: { workOrder: string }) => n.workOrder)).toEqual([
      'WO-U',
      'WO-S',
      'WO-N',
    ]);
    expect((await call('GET', '/api/nonconformances?status=later')).status).toBe(400);
    const one = await call('GET', `/api/nonconformances/${open.body[0].id}`);
    expect(one.body.id).toBe(open.body[0].id);
    expect((await call('GET', '/api/nonconformances/999999')).status).toBe(404);
    expect((await call('GET', '/api/work-orders/WO-NONE/nonconformances')).status).toBe(404);
  });

  it('sums NCs by reason, product and machine over a window', async () => {
    const from = new Date(Date.now() - 60 * MIN).toISOString();
    const to = new Date(Date.now() + MIN).toISOString();
    const summary = await call('GET', `/api/nonconformances/summary?from=${from}&to=${to}`);
    expect(summary.body).toMatchObject({
      total: { count: 4, quantity: 11, inRework: 0 },
      byReason: [{ key: 'burr', count: 4, quantity: 11 }],
      byProduct: [{ key: 'part-a', count: 4, quantity: 11 }],
      byMachine: [{ key: 'asm-1', count: 4, quantity: 11 }],
    });
    const reversed = await call('GET', `/api/nonconformances/summary?from=${to}&to=${from}`);
    expect(reversed.status).toBe(400);
  });
});
