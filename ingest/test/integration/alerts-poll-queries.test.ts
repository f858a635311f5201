import { alertRuleSchema } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEffect } from '../../src/alerts/engine';
import { AlertEngine } from '../../src/alerts/engine';
import { pollOee, pollWorkOrders } from '../../src/alerts/polled';
import { AlertWatcher } from '../../src/alerts/stream';
import { migrate } from '../../src/db/migrate';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Issue 16: the polled alert checks load what all their rules need in a few set-based
 * queries, not one per order and per machine. A real pool, with its `query` calls counted.
 */
const MIN = 60_000;
const H = 60 * MIN;
const NOW = Date.UTC(2026, 2, 10, 12, 0);
const ORDERS = 50;
const MACHINES = 20;
const machine = (i: number) => `m${String(i % MACHINES).padStart(2, '0')}`;
const order = (i: number) => `WO-${String(i).padStart(2, '0')}`;
const ts = (ms: number) => new Date(ms).toISOString();

let pool: pg.Pool;
let queries = 0;
/** The real pool, counting the queries sent through it. */
let counted: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_poll') });
  await migrate(pool, pino({ level: 'silent' }));
  counted = new Proxy(pool, {
    get(target, key, receiver) {
      if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
      return (...args: Parameters<pg.Pool['query']>) => {
        queries++;
        return (target.query as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  await pool.query(`INSERT INTO sites (id, name) VALUES ('s1', 'Site')`);
  await pool.query(`INSERT INTO products (id, name, ideal_cycle_ms) VALUES ('p1', 'Part', 1000)`);
  for (let m = 0; m < MACHINES; m++) {
    const id = machine(m);
    await pool.query(
      `INSERT INTO machines (id, site_id, name, product_id, first_data_at) VALUES ($1, 's1', $1, 'p1', $2)`,
      [id, ts(NOW - 4 * H)],
    );
    // OEE = Σ ideal cycle × good / planned time (no shifts: all planned): even machines made
    // 1,000 pieces of 1 s in the last hour (28 %, below 60 %), odd ones 3,000 (83 %).
    await pool.query(
      `INSERT INTO machine_states (time, machine_id, state, gateway_id, seq) VALUES ($2, $1, 'running', 'gw', 1)`,
      [id, ts(NOW - 4 * H)],
    );
    if (m % 2 === 0)
      await pool.query(
        `INSERT INTO machine_states (time, machine_id, state, gateway_id, seq) VALUES ($2, $1, 'down', 'gw', 2)`,
        [id, ts(NOW - 30 * MIN)],
      );
    await pool.query(
      `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject) VALUES ($2, $1, $3, 0, $3, 0)`,
      [id, ts(NOW - 20 * MIN), m % 2 === 0 ? 1000 : 3000],
    );
  }
  for (let i = 0; i < ORDERS; i++) {
    // Every third order is due within the hour with 990 pieces to make: late risk.
    const due = i % 3 === 0 ? NOW + 30 * MIN : NOW + 48 * H;
    await pool.query(
      `INSERT INTO work_orders (id, product_id, quantity, due_at, created_at) VALUES ($1, 'p1', 1000, $2, $3)`,
      [order(i), ts(due), ts(NOW - 5 * H)],
    );
    await pool.query(
      `INSERT INTO work_order_operations (work_order_id, position, id, machine_id, status, good, started_at)
       VALUES ($1, 0, 'OP10', $2, 'running', 10, $3), ($1, 1, 'OP20', $4, 'pending', 0, NULL)`,
      [order(i), machine(i), ts(NOW - 3 * H), machine(i + 1)],
    );
    // Odd orders made 600 pieces ten minutes ago; even ones 10, 3 h ago: stalled (rule: 2 h).
    await pool.query(
      `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, good, rejected, machine_id)
       VALUES ($1, $2, 'count', 'OP10', $4, 0, $3)`,
      [
        order(i),
        ts(i % 2 === 1 ? NOW - 10 * MIN : NOW - 3 * H),
        machine(i),
        i % 2 === 1 ? 600 : 10,
      ],
    );
  }
  // A finished order: not polled, and its open alert clears.
  await pool.query(
    `INSERT INTO work_orders (id, product_id, quantity) VALUES ('WO-DONE', 'p1', 5)`,
  );
  await pool.query(
    `INSERT INTO work_order_operations (work_order_id, position, id, machine_id, status, good)
     VALUES ('WO-DONE', 0, 'OP10', 'm00', 'done', 5)`,
  );
});

afterAll(async () => {
  await pool?.end();
});

const summary = (effects: readonly AlertEffect[]) =>
  effects.map((e) => `${e.kind} ${e.alert.rule} ${e.alert.subject}`).sort();

describe('polled alert checks (issue 16)', () => {
  it('judges 50 orders and 20 machines in a few queries', async () => {
    const rules = [
      { id: 'stall', kind: 'work-order-stalled', forH: 2 },
      { id: 'late', kind: 'work-order-late' },
      {
        id: 'oee',
        kind: 'oee-below',
        machines: Array.from({ length: MACHINES }, (_, m) => machine(m)),
        below: 0.6,
        window: { rollingMin: 60 },
      },
    ].map((r) => alertRuleSchema.parse(r));
    const engine = new AlertEngine(rules, 'UTC');
    engine.signal({ rule: 'stall', subject: 'WO-DONE', signal: 'active', at: NOW - H });
    const watcher = new AlertWatcher(engine, NOW - 4 * H);

    queries = 0;
    const orders = await pollWorkOrders(counted, watcher, NOW);
    const orderQueries = queries;
    queries = 0;
    const oee = await pollOee(counted, watcher, [], 'UTC', NOW);
    const oeeQueries = queries;
    // Before issue 16: 1 + 2 per order + 1 per order and rule (201), and 8 per machine (160).
    // Issue 21: one more for the plan's promise of every order (planning/planned.ts).
    expect(orderQueries).toBeLessThanOrEqual(5);
    expect(oeeQueries).toBeLessThanOrEqual(8);

    const even = (n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === 0);
    expect(summary(orders)).toEqual(
      [
        'cleared stall WO-DONE',
        ...even(ORDERS).map((i) => `opened stall ${order(i)}`),
        ...Array.from({ length: ORDERS }, (_, i) => i)
          .filter((i) => i % 3 === 0)
          .map((i) => `opened late ${order(i)}`),
      ].sort(),
    );
    expect(summary(oee)).toEqual(
      even(MACHINES)
        .map((m) => `opened oee ${machine(m)}`)
        .sort(),
    );
    expect(orders.find((e) => e.alert.subject === order(0))?.alert.message.key).toMatch(
      /^alert\.order-(stalled|late)/,
    );
  });
});
