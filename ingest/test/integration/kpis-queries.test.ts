import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { orderScrap, quality, weeklyKpis } from '../../src/queries/kpis';
import { createTestDatabase } from '../helpers/test-db';

/*
 * The weekly KPIs, the quality figures and scrap per order against a real PostgreSQL, with
 * the figures worked out by hand in the comments. The plant is in Shanghai (UTC+8): its
 * week starts on Monday 00:00 there, Sunday 16:00 UTC.
 */
const H = 3_600_000;
const NOW = Date.parse('2026-12-09T04:00:00Z'); // Wednesday noon in Shanghai
const WEEK_START = Date.parse('2026-12-06T16:00:00Z');
const ts = (ms: number) => new Date(ms).toISOString();

let pool: pg.Pool;

async function order(
  id: string,
  customer: string,
  product: string,
  createdAt: number,
  dueAt: number,
) {
  await pool.query(
    `INSERT INTO work_orders (id, product_id, customer, quantity, created_at, due_at) VALUES ($1, $2, $3, 100, $4, $5)`,
    [id, product, customer, ts(createdAt), ts(dueAt)],
  );
}
async function done(id: string, machine: string, startedAt: number, completedAt: number) {
  await pool.query(
    `INSERT INTO work_order_operations (work_order_id, position, id, machine_id, status, started_at, completed_at)
     VALUES ($1, 0, 'OP10', $2, 'done', $3, $4)`,
    [id, machine, ts(startedAt), ts(completedAt)],
  );
}
async function event(
  id: string,
  at: number,
  kind: 'scan' | 'count',
  machine: string,
  values: { good?: number; rejected?: number; detail?: Record<string, unknown> | null },
) {
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected, detail)
     VALUES ($1, $2, $3, 'OP10', $4, $5, $6, $7)`,
    [
      id,
      ts(at),
      kind,
      machine,
      values.good ?? null,
      values.rejected ?? null,
      values.detail ?? null,
    ],
  );
}

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_kpis') });
  await migrate(pool, pino({ level: 'silent' }));
  await pool.query(
    `INSERT INTO sites (id, name, time_zone) VALUES ('s1', 'Site', 'Asia/Shanghai')`,
  );
  await pool.query(
    `INSERT INTO products (id, name, ideal_cycle_ms) VALUES ('p1', 'Part 1', 1000), ('p2', 'Part 2', 1000)`,
  );
  for (const m of ['m1', 'm2'])
    await pool.query(
      `INSERT INTO machines (id, site_id, name, product_id, first_data_at) VALUES ($1, 's1', $1, 'p1', $2)`,
      [m, ts(WEEK_START)],
    );
  // m1 runs from the week's start (no shifts: every hour is planned); its counter made 90.
  await pool.query(
    `INSERT INTO machine_states (time, machine_id, state, gateway_id, seq) VALUES ($1, 'm1', 'running', 'gw', 1)`,
    [ts(WEEK_START)],
  );
  await pool.query(
    `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject) VALUES ($1, 'm1', 90, 6, 90, 6)`,
    [ts(NOW - 3 * H)],
  );

  // WO-1 (C1, p1): on m1 this week, 10 h before now to 2 h before, due later: on time.
  await order('WO-1', 'C1', 'p1', NOW - 50 * H, NOW + 5 * H);
  await done('WO-1', 'm1', NOW - 10 * H, NOW - 2 * H);
  await event('WO-1', NOW - 10 * H, 'scan', 'm1', { detail: { action: 'start', operator: 'op1' } });
  await event('WO-1', NOW - 3 * H, 'count', 'm1', { good: 90, rejected: 6 }); // the counter
  // A reject report on a counting machine moves 4 pieces from good to rejected.
  await event('WO-1', NOW - 2.5 * H, 'count', 'm1', {
    good: -4,
    rejected: 4,
    detail: { source: 'scan', reason: 'burr' },
  });
  await event('WO-1', NOW - 2 * H, 'scan', 'm1', { detail: { action: 'complete' } });

  // WO-2 (C2, p2): on m2 from 6 h to 4 h before now, due 5 h before now: late.
  await order('WO-2', 'C2', 'p2', NOW - 30 * H, NOW - 5 * H);
  await done('WO-2', 'm2', NOW - 6 * H, NOW - 4 * H);
  await event('WO-2', NOW - 6 * H, 'scan', 'm2', { detail: { action: 'start', operator: 'op2' } });
  await event('WO-2', NOW - 5 * H, 'count', 'm2', {
    good: 48,
    rejected: 2,
    detail: { source: 'scan', reason: 'crack' },
  });
  await event('WO-2', NOW - 4 * H, 'scan', 'm2', { detail: { action: 'complete' } });

  // WO-3 (C1, p1): completed last week, on time, 20 h of lead time.
  const lastWeek = WEEK_START - 3 * 24 * H;
  await order('WO-3', 'C1', 'p1', lastWeek - 20 * H, lastWeek + H);
  await done('WO-3', 'm1', lastWeek - 2 * H, lastWeek);
});

afterAll(async () => {
  await pool?.end();
});

describe('weekly KPIs', () => {
  it('gives each plant week its figures, the last one under way', async () => {
    const k = await weeklyKpis(pool, 9, {}, NOW);
    expect(k.timeZone).toBe('Asia/Shanghai');
    expect(k.weeks).toHaveLength(9);
    const week = k.weeks.at(-1)!;
    expect(week).toMatchObject({
      start: '2026-12-07',
      from: ts(WEEK_START),
      to: ts(NOW),
      completed: 2,
      withDueDate: 2,
      onTime: 1,
      onTimeRate: 0.5,
      // 90 − 4 + 48 good; 6 + 4 + 2 rejected.
      good: 134,
      rejected: 12,
      operatorHours: 10, // op1 8 h, op2 2 h
    });
    expect(week.scrapRate).toBeCloseTo(12 / 146, 12);
    expect(week.outputPerOperatorHour).toBeCloseTo(13.4, 12);
    // Lead times 48 h (WO-1) and 26 h (WO-2): mean 37 h, standard deviation 11 h.
    expect(week.leadTimeMeanMs).toBe(37 * H);
    expect(week.leadTimeCv).toBeCloseTo(11 / 37, 12);
    // m1: 84 h planned, all running, 90 good + 6 rejected pieces of 1 s; m2: no data.
    expect(week.oee).toBeGreaterThan(0);
    expect(week.oee).toBeLessThan(0.01);
    expect(k.weeks.at(-2)).toMatchObject({ start: '2026-11-30', completed: 1, onTimeRate: 1 });
    expect(k.weeks[0]).toMatchObject({ completed: 0, onTimeRate: null, scrapRate: null });
  });

  it('compares this week with the earlier ones, better or worse per KPI', async () => {
    const { trends } = await weeklyKpis(pool, 9, {}, NOW);
    expect(trends.onTimeRate).toEqual({ current: 0.5, mean: 1, delta: -0.5, better: false });
    expect(trends.leadTimeMeanMs).toMatchObject({ current: 37 * H, mean: 20 * H, better: false });
    expect(trends.scrapRate).toMatchObject({ mean: null, better: null });
  });

  it('narrows to a customer and a product', async () => {
    const c1 = (await weeklyKpis(pool, 2, { customer: 'C1' }, NOW)).weeks.at(-1)!;
    expect(c1).toMatchObject({
      completed: 1,
      onTimeRate: 1,
      good: 86,
      rejected: 10,
      operatorHours: 8,
    });
    const p2 = (await weeklyKpis(pool, 2, { product: 'p2' }, NOW)).weeks.at(-1)!;
    expect(p2).toMatchObject({
      completed: 1,
      onTimeRate: 0,
      good: 48,
      rejected: 2,
      operatorHours: 2,
    });
    const none = (await weeklyKpis(pool, 2, { customer: 'C1', product: 'p2' }, NOW)).weeks.at(-1)!;
    expect(none).toMatchObject({
      completed: 0,
      good: 0,
      operatorHours: 0,
      outputPerOperatorHour: null,
    });
  });
});

describe('quality', () => {
  it('gives the reject Pareto, scrap per day by product and machine, and delivery by group', async () => {
    const q = await quality(pool, WEEK_START, NOW, {});
    expect(q.days).toEqual(['2026-12-07', '2026-12-08', '2026-12-09']);
    expect(q.pareto.map((b) => [b.reason, b.pieces])).toEqual([
      [null, 6], // the counter: no reason
      ['burr', 4],
      ['crack', 2],
    ]);
    expect(q.pareto.at(-1)!.cumulative).toBe(1);
    // Everything happened on Dec 9 in Shanghai.
    expect(q.byProduct).toEqual([
      { group: 'p1', rates: [null, null, 10 / 96], good: 86, rejected: 10 },
      { group: 'p2', rates: [null, null, 2 / 50], good: 48, rejected: 2 },
    ]);
    expect(q.byMachine.map((s) => s.group)).toEqual(['m1', 'm2']);
    expect(q.delivery.byCustomer).toEqual([
      expect.objectContaining({ group: 'C1', completed: 1, onTimeRate: 1, leadTimeMeanMs: 48 * H }),
      expect.objectContaining({ group: 'C2', completed: 1, onTimeRate: 0, leadTimeMeanMs: 26 * H }),
    ]);
    const p2 = await quality(pool, WEEK_START, NOW, { product: 'p2' });
    expect(p2.pareto.map((b) => b.reason)).toEqual(['crack']);
  });
});

describe('scrap per order', () => {
  it('gives each operation its pieces and reject reasons', async () => {
    expect(await orderScrap(pool, 'WO-1')).toEqual({
      id: 'WO-1',
      good: 86,
      rejected: 10,
      operations: [
        {
          id: 'OP10',
          machine: 'm1',
          good: 86,
          rejected: 10,
          reasons: [
            { reason: null, pieces: 6 },
            { reason: 'burr', pieces: 4 },
          ],
        },
      ],
    });
    expect(await orderScrap(pool, 'WO-none')).toBeUndefined();
  });
});
