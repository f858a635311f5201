import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics, type PayloadByKind } from '@takt/protocol';
import ExcelJS from 'exceljs';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * The production model's golden cases through the real pipeline: MQTT -> ingest ->
 * PostgreSQL -> API, with times and counts worked out by hand in the comments.
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;
const at = (day: number, hhmm: string) =>
  Date.UTC(2026, 10, day) + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * MIN;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let seq = 1;

type Kind = 'state' | 'count' | 'scan' | 'metrics';
async function send(
  machine: string,
  kind: Kind,
  ts: number,
  body: Record<string, unknown>,
  s = seq++,
) {
  const payload = encodePayload(kind, { v: 1, seq: s, ts, ...body } as PayloadByKind[Kind]);
  await gw.publishAsync(topics.machine('prod-site', 'gw-prod', machine, kind), payload, { qos: 1 });
  return s;
}

/** A state held over [fromTs, toTs), re-sent every minute as the edge's heartbeat does. */
async function hold(machine: string, fromTs: number, toTs: number, body: Record<string, unknown>) {
  for (let ts = fromTs; ts < toTs; ts += MIN) await send(machine, 'state', ts, body);
}

interface ShiftRow {
  shift: string;
  date: string;
  plannedBusyMs: number;
  runMs: number;
}

let auth: { authorization: string };

async function api(path: string, init: RequestInit = {}) {
  const headers = { ...auth, ...(init.headers as Record<string, string> | undefined) };
  const response = await fetch(`${ingest.url}${path}`, { ...init, headers });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as Record<string, any> };
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
  until(
    'scans applied',
    "SELECT count(*) AS n FROM work_order_events WHERE kind IN ('scan', 'refused')",
    String(n),
  );
const countsStored = (n: number) =>
  until('counts stored', 'SELECT count(*) AS n FROM counts', String(n));

const running = { state: 'running', code: 1 };
const idle = { state: 'idle', code: 2 };

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_production'),
    mqtt: { url, clientId: 'ingest-production' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/production-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'manager');
  gw = await mqtt.connectAsync(url);

  // night-1, the night of Nov 20 -> 21: running 21:55-06:00, down 01:00-01:30 (spindle).
  await hold('night-1', at(20, '21:55'), at(21, '01:00'), running);
  await hold('night-1', at(21, '01:00'), at(21, '01:30'), {
    state: 'down',
    code: 3,
    reason: 'spindle',
  });
  await hold('night-1', at(21, '01:30'), at(21, '06:00'), running);
  await send('night-1', 'count', at(20, '22:00'), { good: 1000, reject: 0 }); // baseline totals
  await countsStored(1);
  const final = { good: 1000 + 23_800, reject: 200 };
  const finalSeq = await send('night-1', 'count', at(21, '05:59'), final);
  await countsStored(2);
  // The same message again (QoS 1 redelivery, a replay): stored once.
  await send('night-1', 'count', at(21, '05:59'), final, finalSeq);
  // A count from 03:00 arriving after the 05:59 totals: late, placed between the 22:00 and
  // 05:59 totals (the pieces stay the same, split at 03:00).
  await send('night-1', 'count', at(21, '03:00'), { good: 15_000, reject: 100 });

  // mix-1, the day shift of Nov 20: two orders, two products, a changeover between them.
  for (const [id, product, quantity] of [
    ['WO-A', 'part-a', 10_000],
    ['WO-B', 'part-b', 3_000],
  ] as const) {
    const created = await api('/api/work-orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        product,
        quantity,
        operations: [{ id: 'OP10', machine: 'mix-1' }],
      }),
    });
    expect(created.status).toBe(201);
  }
  await hold('mix-1', at(20, '06:00'), at(20, '07:00'), idle); // no order yet: a planned stop
  await hold('mix-1', at(20, '07:00'), at(20, '09:00'), running);
  await hold('mix-1', at(20, '09:00'), at(20, '09:30'), idle); // the changeover: a setup loss
  await hold('mix-1', at(20, '09:30'), at(20, '10:00'), running);
  await hold('mix-1', at(20, '10:00'), at(20, '10:30'), idle); // the break
  await hold('mix-1', at(20, '10:30'), at(20, '12:00'), running);
  await hold('mix-1', at(20, '12:00'), at(20, '12:20'), {
    state: 'down',
    code: 4,
    reason: 'tooling',
  });
  await hold('mix-1', at(20, '12:20'), at(20, '14:00'), running);
  await send('mix-1', 'count', at(20, '06:00'), { good: 0, reject: 0 });
  await countsStored(3);
  const scan = (ts: number, code: string, extra: Record<string, unknown>) =>
    send('mix-1', 'scan', ts, { code, ...extra });
  await scan(at(20, '07:00'), 'WO-A/OP10', {
    workOrder: 'WO-A',
    operation: 'OP10',
    action: 'start',
    operator: 'E7',
  });
  await scansApplied(1);
  await send('mix-1', 'count', at(20, '08:59'), { good: 6900, reject: 100 }); // 7,000 of A
  await scan(at(20, '09:00'), 'WO-A/OP10', {
    workOrder: 'WO-A',
    operation: 'OP10',
    action: 'complete',
  });
  await scan(at(20, '09:00'), 'MODE:CHANGEOVER', { action: 'changeover' });
  await scan(at(20, '09:25'), 'E0042', { action: 'login', operator: '0042' }); // a badge
  await scan(at(20, '09:30'), 'WO-B/OP10', {
    workOrder: 'WO-B',
    operation: 'OP10',
    action: 'start',
  });
  await scansApplied(3);
  await send('mix-1', 'count', at(20, '09:44'), { good: 7300, reject: 150 }); // 450 of B, 50 startup rejects
  await send('mix-1', 'count', at(20, '13:59'), { good: 13_300, reject: 180 }); // 6,030 more of B
  await countsStored(7); // 2 + the late 03:00 + 4 of mix-1
  await until(
    'counts attributed',
    "SELECT count(*) AS n FROM work_order_events WHERE kind = 'count'",
    '3',
  );
}, 120_000);

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('the production model through the real pipeline', () => {
  it('a night shift across midnight: 450 min planned, 30 min down, counts once despite a repeat and a late message', async () => {
    const { body } = await api(
      `/api/oee?machine=night-1&from=2026-11-20T22:00:00Z&to=2026-11-21T06:00:00Z`,
    );
    expect(body).toMatchObject({
      plannedBusyMs: 450 * MIN,
      runMs: 420 * MIN,
      downMs: 30 * MIN,
      setupMs: 0,
      totalCount: 24_000,
      goodCount: 23_800,
    });
    expect(body.availability).toBeCloseTo(420 / 450, 12);
    expect(body.performance).toBeCloseTo(24_000 / (420 * 60), 12);
    expect(body.quality).toBeCloseTo(23_800 / 24_000, 12);
    expect(body.oee).toBeCloseTo(23_800 / (450 * 60), 12);
    expect(body.losses).toMatchObject({
      breakdownsMs: 30 * MIN,
      setupsMs: 0,
      fullyProductiveMs: 23_800_000,
    });
    const { rows } = await ingest.pool.query('SELECT count(*)::int AS n FROM dead_letters');
    expect(rows[0].n).toBe(0); // the repeat is a duplicate, not an error
  });

  it('OEE per shift follows the calendar, a night shift belonging to the day it began', async () => {
    const { body } = await api(
      `/api/oee/shifts?machine=night-1&from=2026-11-20T14:00:00Z&to=2026-11-21T06:00:00Z`,
    );
    const figures = (s: ShiftRow & { notMonitoredMs: number }) => [
      s.shift,
      s.date,
      s.plannedBusyMs,
      s.runMs,
      s.notMonitoredMs,
    ];
    expect(body.shifts.map(figures)).toEqual([
      // Its first data ever came at 21:55: the shift's time before it is not monitored.
      ['late', '2026-11-20', 5 * MIN, 5 * MIN, 475 * MIN],
      ['night', '2026-11-20', 450 * MIN, 420 * MIN, 0],
    ]);
    const holiday = await api(
      `/api/oee/shifts?machine=night-1&from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z`,
    );
    expect(holiday.body.shifts.map((s: ShiftRow) => s.date)).toEqual(['2026-11-24']); // last night's only
  });

  it('two products in one shift: modes, the six big losses and A x P x Q exact', async () => {
    const { body } = await api(
      `/api/oee?machine=mix-1&from=2026-11-20T06:00:00Z&to=2026-11-20T14:00:00Z`,
    );
    // Busy: 480 min - 30 break - 60 without an order (planned) = 390; down: 30 changeover + 20 tooling.
    expect(body).toMatchObject({
      plannedBusyMs: 390 * MIN,
      downMs: 50 * MIN,
      setupMs: 50 * MIN,
      runMs: 340 * MIN,
      totalCount: 13_480,
      goodCount: 13_300,
    });
    expect(body.modes).toEqual({
      no_order: 60 * MIN,
      production: 360 * MIN,
      changeover: 30 * MIN,
      break: 30 * MIN,
    });
    // Ideal: 7,000 x 1 s + 6,480 x 2 s = 19,960 s; good: 6,900 + 6,400 x 2 = 19,700 s.
    expect(body.performance).toBeCloseTo(19_960 / (340 * 60), 12);
    expect(body.quality).toBeCloseTo(19_700 / 19_960, 12);
    expect(body.yield).toBeCloseTo(13_300 / 13_480, 12);
    expect(body.oee).toBeCloseTo(19_700 / (390 * 60), 12);
    expect(body.oee).toBeCloseTo(body.availability * body.performance * body.quality, 12);
    expect(body.losses).toEqual({
      breakdownsMs: 0,
      setupsMs: 50 * MIN,
      smallStopsMs: 0,
      reducedSpeedMs: 440_000,
      startupRejectsMs: 100_000, // 50 rejects of B within 15 min of the changeover
      productionRejectsMs: 160_000, // 100 of A + 30 of B
      fullyProductiveMs: 19_700_000,
    });
  });

  it('a work order: exact counts, its own OEE, the operator and the KPIs', async () => {
    const a = await api('/api/work-orders/WO-A');
    expect(a.body).toMatchObject({
      status: 'completed',
      good: 6900,
      rejected: 100,
      progress: 0.69,
    });
    const b = await api('/api/work-orders/WO-B');
    expect(b.body).toMatchObject({
      status: 'in_progress',
      good: 6400,
      rejected: 80,
      currentOperation: { id: 'OP10' },
    });
    expect(b.body.health.parts).toHaveProperty('quality');
    const oee = await api('/api/work-orders/WO-A/oee');
    // WO-A ran 07:00-09:00 on mix-1, all running: 120 min, 7,000 x 1 s made.
    expect(oee.body).toMatchObject({
      plannedBusyMs: 120 * MIN,
      runMs: 120 * MIN,
      totalCount: 7000,
      goodCount: 6900,
    });
    expect(oee.body.operations[0].runs).toEqual([
      { from: '2026-11-20T07:00:00.000Z', to: '2026-11-20T09:00:00.000Z' },
    ]);
    const k = await api('/api/kpis?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z');
    // WO-A completed in the window (no due date given: not in the on-time rate).
    expect(k.body).toMatchObject({
      completed: 1,
      withDueDate: 0,
      onTimeRate: null,
      good: 13_300,
      rejected: 180,
    });
    expect(k.body.scrapRate).toBeCloseTo(180 / 13_480, 12);
    // E7 on WO-A 07:00-09:00; 0042, badged in at the station, on WO-B from 09:30 on.
    const started = (
      b.body.history as { kind: string; detail: { action?: string; operator?: string } }[]
    ).find((e) => e.kind === 'scan' && e.detail.action === 'start');
    expect(started?.detail.operator).toBe('0042');
    expect(k.body.operatorHours).toBeCloseTo(2 + 14.5, 9);
  });

  it("shows each machine's mode and running order on the board snapshot", async () => {
    const res = await fetch(`${ingest.url}/api/machines`, { headers: auth });
    const machines = (await res.json()) as { id: string; mode: string; workOrder: string | null }[];
    const mix = machines.find((m) => m.id === 'mix-1')!;
    expect(mix.workOrder).toBe('WO-B');
    // Now (the test's wall clock) is in a shift, a break, or a holiday; WO-B runs otherwise.
    expect(['production', 'break', 'no_shift']).toContain(mix.mode);
    expect(machines.find((m) => m.id === 'night-1')!.workOrder).toBeNull();
  });

  it('gives the state and mode timeline of a machine', async () => {
    const { body } = await api(
      '/api/machines/mix-1/timeline?from=2026-11-20T08:00:00Z&to=2026-11-20T10:30:00Z',
    );
    const hhmm = (iso: string) => iso.slice(11, 16);
    expect(
      body.states.map((s: { from: string; state: string }) => [hhmm(s.from), s.state]),
    ).toEqual([
      ['08:00', 'running'],
      ['09:00', 'idle'],
      ['09:30', 'running'],
      ['10:00', 'idle'],
    ]);
    expect(body.modes.map((m: { from: string; mode: string }) => [hhmm(m.from), m.mode])).toEqual([
      ['08:00', 'production'],
      ['09:00', 'changeover'],
      ['09:30', 'production'],
      ['10:00', 'break'],
    ]);
  });

  it('serves the plant model and refuses reasons outside its tree', async () => {
    const plant = await api('/api/plant');
    expect(plant.body.reasons.downtime[0].children[0].id).toBe('spindle');
    expect(plant.body.targets).toEqual({ oee: 0.6 });
    const refused = await api('/api/machines/night-1/stop-reason', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'gremlins' }),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('unknown reason code "gremlins"');
  });

  it('takes pieces reported by hand: added at a hand station, re-classified on a counting machine', async () => {
    const created = await api('/api/work-orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'WO-C',
        product: 'part-a',
        quantity: 50,
        operations: [{ id: 'OP10', machine: 'asm-1' }],
      }),
    });
    expect(created.status).toBe(201);
    const before = Number(
      (
        await ingest.pool.query(
          "SELECT count(*) AS n FROM work_order_events WHERE kind IN ('scan', 'refused', 'count')",
        )
      ).rows[0].n,
    );
    const now = Date.now();
    await send('asm-1', 'scan', now, {
      code: 'WO-C|OP10',
      workOrder: 'WO-C',
      operation: 'OP10',
      action: 'start',
    });
    await until(
      'WO-C running',
      "SELECT count(*) AS n FROM work_order_operations WHERE work_order_id = 'WO-C' AND status = 'running'",
      '1',
    );
    await send('asm-1', 'scan', now + 1000, { code: 'QTY:40', action: 'good', quantity: '40' });
    await send('asm-1', 'scan', now + 2000, {
      code: 'REJ:2:burr',
      action: 'reject',
      quantity: '2',
      reason: 'burr',
    });
    await send('asm-1', 'scan', now + 3000, {
      code: 'REJ:1:gremlin',
      action: 'reject',
      quantity: '1',
      reason: 'gremlin',
    });
    await send('mix-1', 'scan', now + 4000, { code: 'QTY:10', action: 'good', quantity: 10 });
    await send('mix-1', 'scan', now + 5000, {
      code: 'REJ:5:burr',
      action: 'reject',
      quantity: 5,
      reason: 'burr',
    });
    await until(
      'reports applied',
      "SELECT count(*) AS n FROM work_order_events WHERE kind IN ('scan', 'refused', 'count')",
      String(before + 6),
    );
    const c = await api('/api/work-orders/WO-C');
    expect(c.body).toMatchObject({ good: 40, rejected: 2, progress: 0.8 });
    const reasons = (c.body.history as { kind: string; detail: { reason?: string } }[])
      .filter((e) => e.kind === 'refused')
      .map((e) => e.detail.reason);
    expect(reasons).toEqual(['unknown reject reason "gremlin"']);
    const b = await api('/api/work-orders/WO-B');
    expect(b.body).toMatchObject({ good: 6395, rejected: 85 }); // 5 of the counted good were scrap
    expect(
      (b.body.history as { kind: string; detail: { reason?: string } }[]).find(
        (e) => e.kind === 'refused',
      )?.detail.reason,
    ).toBe('mix-1 counts its pieces itself: report rejects only');
    // The machine's OEE still comes from its counters alone.
    const oee = await api(
      `/api/oee?machine=mix-1&from=2026-11-20T06:00:00Z&to=2026-11-20T14:00:00Z`,
    );
    expect(oee.body).toMatchObject({ totalCount: 13_480, goodCount: 13_300 });
  });

  it('derives states where the PLC has none: from a signal and from count activity', async () => {
    for (let s = 0; s <= 600; s += 30) {
      const speed = s < 120 ? 0 : s < 300 ? 500 : 1500;
      const ts = at(20, '15:00') + s * 1000;
      await send('sig-1', 'metrics', ts, {
        readings: [{ tag: 'spindle_speed', value: speed, ts, quality: 'good' }],
      });
    }
    // Pieces: 10 at 15:01, 10 at 15:02, nothing until 10 more at 15:10; totals every minute.
    const totals = [0, 10, 20, 20, 20, 20, 20, 20, 20, 20, 30];
    for (const [minute, good] of totals.entries())
      await send('cnt-1', 'count', at(20, '15:00') + minute * MIN, { good, reject: 0 });
    await until(
      'derived states',
      "SELECT count(DISTINCT machine_id) AS n FROM machine_states WHERE gateway_id = '~derived' AND time >= '2026-11-20T15:10:00Z'",
      '2',
    );
    const timeline = async (machine: string) => {
      const { body } = await api(
        `/api/machines/${machine}/timeline?from=2026-11-20T15:00:00Z&to=2026-11-20T15:10:00Z`,
      );
      return body.states.map((s: { from: string; state: string }) => [
        s.from.slice(11, 16),
        s.state,
      ]);
    };
    expect(await timeline('sig-1')).toEqual([
      ['15:00', 'idle'],
      ['15:02', 'reduced_speed'],
      ['15:05', 'running'],
    ]);
    expect(await timeline('cnt-1')).toEqual([
      ['15:00', 'idle'],
      ['15:01', 'running'],
      ['15:03', 'idle'], // a minute after the last piece
    ]);
  });

  it('imports an ERP export saved as Excel (.xlsx), all rows or none', async () => {
    const book = async (rows: unknown[][]) => {
      const wb = new ExcelJS.Workbook();
      const sheet = wb.addWorksheet('Orders');
      sheet.addRow([
        'order_id',
        'product',
        'quantity',
        'due_date',
        'customer',
        'priority',
        'routing',
      ]);
      for (const r of rows) sheet.addRow(r);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const post = (body: Buffer) =>
      api('/api/work-orders/import', {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
        body,
      });
    const due = new Date(Date.UTC(2026, 11, 4)); // a date cell, as Excel keeps it
    const bad = await post(
      await book([
        ['WO-X1', 'part-a', 10, due, 'Acme', 1, 'OP10@asm-1'],
        ['WO-X2', 'part-z', -3, due, 'Acme', 1, 'OP10@asm-1'],
      ]),
    );
    expect(bad).toMatchObject({ status: 200, body: { committed: false } });
    expect(bad.body.rows.map((r: { row: number; action: string }) => [r.row, r.action])).toEqual([
      [2, 'create'],
      [3, 'refuse'],
    ]);
    expect((await api('/api/work-orders/WO-X1')).status).toBe(404); // nothing half-imported
    const ok = await post(await book([['WO-X1', 'part-a', 10, due, 'Acme', 1, 'OP10@asm-1']]));
    expect(ok).toMatchObject({ status: 200, body: { committed: true, counts: { create: 1 } } });
    expect((await api('/api/work-orders/WO-X1')).body).toMatchObject({
      dueAt: '2026-12-04T23:59:59.000Z', // the end of that day in the plant's time zone (UTC here)
      customer: 'Acme',
    });
    const notABook = await post(Buffer.from('order_id,product'));
    expect(notABook.status).toBe(400);
    expect(notABook.body.message).toMatch(/not an .xlsx workbook/);
  });
});
