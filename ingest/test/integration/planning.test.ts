import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import type { PlanLoad, PlanView, PromiseAnswer } from '@takt/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Issue 21, the plan in ingest (docs/decisions.md "Issue 21 — the plan in ingest, the single
 * ETA"): on the demo plant and a real PostgreSQL, orders created through the API are planned,
 * the order pages show the plan's promise as their ETA, a change makes a new plan, and the
 * calculator answers — or refuses bad input with the field and the reason.
 */
const log = pino({ level: 'silent' });
const H = 3_600_000;
let broker: RunningBroker;
let ingest: RunningIngest;
let manager: Record<string, string>;
let operator: Record<string, string>;

async function call(method: string, path: string, body?: unknown, headers = manager) {
  const response = await fetch(`${ingest.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as any };
}

const plan = async (query = '') => (await call('GET', `/api/plan${query}`)).body as PlanView;
/** The plan once it has `order` (planned or unplannable). */
const planWith = (order: string, query = '') =>
  waitFor(`a plan with ${order}`, async () => {
    const p = await plan(query);
    return (
      (p.orders.some((o) => o.order === order) || p.unplannable.some((u) => u.order === order)) && p
    );
  });

const bracketRouting = [
  { id: 'OP10', machine: 'press-01' },
  { id: 'OP20', machine: 'assembly-01' },
];

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_planning'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-planning' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../../plant/demo-plant.yaml'),
    planning: { pollMs: 100 },
    log,
  });
  await ingest.subscribed;
  manager = await signedIn(ingest.pool, 'manager');
  operator = await signedIn(ingest.pool, 'operator');
  const due = new Date(Date.now() + 10 * 24 * H).toISOString();
  for (const [id, quantity, priority] of [
    ['WO-P1', 2000, 0],
    ['WO-P2', 1500, 0],
    ['WO-P3', 800, 5],
  ] as const) {
    const created = await call('POST', '/api/work-orders', {
      id,
      product: 'bracket-b12',
      quantity,
      priority,
      dueAt: due,
      operations: bracketRouting,
    });
    expect(created.status).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

describe('GET /api/plan', () => {
  it('plans every open order: operations in routing order, a promise inside its band', async () => {
    const p = await planWith('WO-P1');
    await planWith('WO-P2');
    expect(p.timeZone).toBe('Asia/Shanghai');
    expect(p.machines.map((m) => m.id)).toEqual(
      expect.arrayContaining(['press-01', 'cnc-01', 'assembly-01']),
    );
    const ops = p.operations.filter((o) => o.order === 'WO-P1');
    expect(ops.map((o) => [o.operation, o.machine, o.remaining])).toEqual([
      ['OP10', 'press-01', 2000],
      ['OP20', 'assembly-01', 2000],
    ]);
    // Precedence: OP20 starts no earlier than OP10 finishes.
    expect(Date.parse(ops[1]!.plannedStart)).toBeGreaterThanOrEqual(
      Date.parse(ops[0]!.plannedFinish),
    );
    const order = p.orders.find((o) => o.order === 'WO-P1')!;
    expect(order).toMatchObject({ product: 'bracket-b12', quantity: 2000, priority: 0 });
    expect(Date.parse(order.p10)).toBeLessThanOrEqual(Date.parse(order.promisedAt));
    expect(Date.parse(order.promisedAt)).toBeLessThanOrEqual(Date.parse(order.p90));
    expect(order.promisedAt).toBe(ops[1]!.plannedFinish);
    expect(order.health.score).toBeGreaterThanOrEqual(0);
  });

  it('lists an order it cannot plan with the reason, in the language asked', async () => {
    const created = await call('POST', '/api/work-orders', {
      id: 'WO-GHOST',
      product: 'bracket-b12',
      quantity: 10,
      operations: [{ id: 'OP10', machine: 'ghost-09' }],
    });
    expect(created.status).toBe(201);
    const p = await planWith('WO-GHOST', '?lang=zh-CN');
    const entry = p.unplannable.find((u) => u.order === 'WO-GHOST')!;
    expect(entry.operation).toBe('OP10');
    expect(entry.reasonKey).toMatch(/^planning\./);
    expect(entry.reason).toContain('ghost-09');
    expect(entry.reason).not.toBe(entry.reasonKey);
    expect(p.orders.some((o) => o.order === 'WO-GHOST')).toBe(false);
  });

  it('filters the Gantt to one line and a window', async () => {
    await planWith('WO-P1');
    const lineB = await plan('?line=line-b');
    expect(lineB.machines.every((m) => m.line === 'line-b')).toBe(true);
    expect(lineB.operations.some((o) => o.machine === 'press-01')).toBe(false);
    const from = new Date(Date.now() + 300 * 24 * H).toISOString();
    const to = new Date(Date.now() + 301 * 24 * H).toISOString();
    const far = await plan(`?from=${from}&to=${to}`);
    expect(far.operations).toEqual([]);
    const wrong = await call('GET', `/api/plan?from=${to}&to=${from}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toContain('to');
  });

  it('is read by maintenance, not by operators', async () => {
    expect((await call('GET', '/api/plan', undefined, operator)).status).toBe(403);
    const maintenance = await signedIn(ingest.pool, 'maintenance');
    expect((await call('GET', '/api/plan', undefined, maintenance)).status).toBe(200);
  });
});

describe('the plan is the single source of ETA', () => {
  it('the order page, the orders list and the plan give the same promise', async () => {
    const p = await planWith('WO-P2');
    const planned = p.orders.find((o) => o.order === 'WO-P2')!;
    const page = await waitFor('the order page with the promise', async () => {
      const view = (await call('GET', '/api/work-orders/WO-P2')).body;
      return view.promisedAt === planned.promisedAt && view;
    });
    expect(page.eta).toBe(planned.promisedAt);
    expect(page).toMatchObject({ p10: planned.p10, p90: planned.p90, lateRisk: planned.lateRisk });
    const plannedOps = p.operations.filter((o) => o.order === 'WO-P2');
    expect(page.operations.map((o: { eta: string }) => o.eta)).toEqual(
      plannedOps.map((o) => o.plannedFinish),
    );
    const list = (await call('GET', '/api/work-orders')).body as { id: string; eta: string }[];
    expect(list.find((o) => o.id === 'WO-P2')!.eta).toBe(planned.promisedAt);
  });

  it('makes a new plan when an order changes: a held order leaves it, a resumed one returns', async () => {
    const before = await planWith('WO-P3');
    expect((await call('POST', '/api/work-orders/WO-P3/hold', { reason: 'material' })).status).toBe(
      200,
    );
    const held = await waitFor('a plan without WO-P3', async () => {
      const p = await plan();
      return !p.orders.some((o) => o.order === 'WO-P3') && p;
    });
    expect(Date.parse(held.computedAt)).toBeGreaterThan(Date.parse(before.computedAt));
    // Its page shows no ETA while held.
    expect((await call('GET', '/api/work-orders/WO-P3')).body.eta).toBeNull();
    expect((await call('POST', '/api/work-orders/WO-P3/resume', {})).status).toBe(200);
    await planWith('WO-P3');
  });

  it('a higher priority moves an order ahead of the others on its machine', async () => {
    const first = await planWith('WO-P1');
    const startOf = (p: PlanView, order: string) =>
      Date.parse(
        p.operations.find((o) => o.order === order && o.operation === 'OP10')!.plannedStart,
      );
    expect(startOf(first, 'WO-P2')).toBeGreaterThan(startOf(first, 'WO-P1'));
    expect((await call('PATCH', '/api/work-orders/WO-P2', { priority: 9 })).status).toBe(200);
    const after = await waitFor('WO-P2 ahead of WO-P1', async () => {
      const p = await plan();
      return (
        p.operations.some((o) => o.order === 'WO-P2') &&
        startOf(p, 'WO-P2') < startOf(p, 'WO-P1') &&
        p
      );
    });
    expect(after.orders.find((o) => o.order === 'WO-P2')!.priority).toBe(9);
  });
});

describe('GET /api/plan/load', () => {
  it('gives booked and available hours per machine and line per plant day', async () => {
    await planWith('WO-P1');
    const load = (await call('GET', '/api/plan/load?days=3')).body as PlanLoad;
    expect(load.days).toHaveLength(3);
    expect(load.from).toBe(load.days[0]);
    const press = load.machines.find((m) => m.id === 'press-01')!;
    expect(press.line).toBe('line-a');
    expect(press.days.map((d) => d.date)).toEqual(load.days);
    // Two shifts of 8 h less a 30 min break on a working day; the press is booked.
    expect(Math.max(...press.days.map((d) => d.availableH))).toBeLessThanOrEqual(15);
    expect(press.days.reduce((s, d) => s + d.bookedH, 0)).toBeGreaterThan(0);
    const lineA = load.lines.find((l) => l.id === 'line-a')!;
    expect(lineA.days[0]!.availableH).toBeGreaterThanOrEqual(press.days[0]!.availableH);
    expect(load.lines.some((l) => l.id === 'line-b')).toBe(true);
  });

  it('defaults to 14 days and refuses 0 or more than 31', async () => {
    expect(((await call('GET', '/api/plan/load')).body as PlanLoad).days).toHaveLength(14);
    for (const days of [0, 32, 'x']) {
      const wrong = await call('GET', `/api/plan/load?days=${days}`);
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toContain('days');
    }
  });
});

describe('POST /api/promise', () => {
  it('answers with a promise inside its band, the orders it delays and changes nothing', async () => {
    await planWith('WO-P1');
    const before = await plan();
    const answer = await call('POST', '/api/promise', {
      product: 'bracket-b12',
      quantity: 500,
      priority: 9,
    });
    expect(answer.status).toBe(200);
    const a = answer.body as PromiseAnswer;
    expect(Date.parse(a.p10)).toBeLessThanOrEqual(Date.parse(a.promisedAt));
    expect(Date.parse(a.promisedAt)).toBeLessThanOrEqual(Date.parse(a.p90));
    expect(a.operations.map((o) => o.machine)).toEqual(['press-01', 'assembly-01']);
    expect(Array.isArray(a.delays)).toBe(true);
    // Released now at the top priority on busy machines: it pushes some order back.
    expect(a.delays.some((d) => d.byMs > 0)).toBe(true);
    expect(a.meetsWantedBy).toBeNull();
    const promises = (p: PlanView) => p.orders.map((o) => [o.order, o.promisedAt]);
    expect(promises(await plan())).toEqual(promises(before));
  });

  it('says whether the wanted date is met, with a routing given', async () => {
    const wantedBy = new Date(Date.now() + 300 * 24 * H).toISOString();
    const answer = await call('POST', '/api/promise', {
      product: 'housing-h7',
      quantity: 20,
      routing: [{ id: '10', machine: 'cnc-02' }],
      wantedBy,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.meetsWantedBy).toBe(true);
    expect(answer.body.operations).toMatchObject([{ operation: '10', machine: 'cnc-02' }]);
  });

  it('refuses bad input with 400, the field and the reason', async () => {
    const cases: [unknown, string][] = [
      [{ product: 'no-such-part', quantity: 5 }, 'product'],
      [
        { product: 'bracket-b12', quantity: 5, routing: [{ id: '10', machine: 'ghost-09' }] },
        'ghost-09',
      ],
      [{ product: 'bracket-b12', quantity: 0 }, 'quantity'],
      [{ product: 'bracket-b12', quantity: -3 }, 'quantity'],
      [{ product: 'bracket-b12', quantity: 2.5 }, 'quantity'],
      [
        { product: 'bracket-b12', quantity: 5, wantedBy: new Date(Date.now() - H).toISOString() },
        'wantedBy',
      ],
    ];
    for (const [body, field] of cases) {
      const answer = await call('POST', '/api/promise', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.message, JSON.stringify(body)).toContain(field);
    }
  });

  it('refuses a product without a routing when none is given', async () => {
    await ingest.pool.query(
      "INSERT INTO products (id, name, ideal_cycle_ms) VALUES ('bare-part', 'Bare part', 1000)",
    );
    // A created order makes a new plan, which reads the products again.
    const created = await call('POST', '/api/work-orders', {
      id: 'WO-BARE',
      product: 'bare-part',
      quantity: 10,
      operations: [{ id: 'OP10', machine: 'press-02' }],
    });
    expect(created.status).toBe(201);
    await planWith('WO-BARE');
    const answer = await call('POST', '/api/promise?lang=zh-CN', {
      product: 'bare-part',
      quantity: 5,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('routing');
    expect(answer.body.message).toContain('工艺路线');
    const given = await call('POST', '/api/promise', {
      product: 'bare-part',
      quantity: 5,
      routing: [{ id: 'OP10', machine: 'press-02' }],
    });
    expect(given.status).toBe(200);
  });

  it('is for managers: an operator is refused', async () => {
    const answer = await call(
      'POST',
      '/api/promise',
      { product: 'bracket-b12', quantity: 5 },
      operator,
    );
    expect(answer.status).toBe(403);
  });
});
