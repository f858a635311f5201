import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { rederive } from '../../src/work-orders/apply';
import { createTestDatabase } from '../helpers/test-db';

/*
 * A commit with counts only moves its operations' totals by what the attribution took off
 * and wrote (work-orders/apply.ts `addCounts`), instead of summing every count event of the
 * order again: the totals must still be the sums of the count events after counts that come
 * late, again, or are attributed twice.
 */
const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const S = 1000;
let pool: pg.Pool;

const count = (atS: number, good: number, reject = 0) =>
  pool.query(
    `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject, counter_reset)
     VALUES ($1, 'ma', 0, 0, $2, $3, false)`,
    [new Date(T0 + atS * S), good, reject],
  );
const attribute = (fromS: number) =>
  rederive(pool, {
    scansFromMs: undefined,
    counts: { fromMs: T0 + fromS * S, machines: ['ma'] },
  });
/** The operation's totals and the sums of its count events. */
const totals = async () =>
  (
    await pool.query<{ good: string; rejected: string; sum_good: string; sum_rejected: string }>(
      `SELECT o.good, o.rejected,
              (SELECT coalesce(sum(good), 0) FROM work_order_events e
                WHERE e.work_order_id = o.work_order_id AND e.operation_id = o.id AND e.kind = 'count') AS sum_good,
              (SELECT coalesce(sum(rejected), 0) FROM work_order_events e
                WHERE e.work_order_id = o.work_order_id AND e.operation_id = o.id AND e.kind = 'count') AS sum_rejected
         FROM work_order_operations o WHERE o.work_order_id = 'wo-c'`,
    )
  ).rows[0]!;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_count_attribution') });
  await migrate(pool, pino({ level: 'silent' }));
  await pool.query("INSERT INTO work_orders (id, quantity) VALUES ('wo-c', 100)");
  await pool.query(
    `INSERT INTO work_order_operations (work_order_id, position, id, machine_id, status, started_at)
     VALUES ('wo-c', 1, 'op-1', 'ma', 'running', $1)`,
    [new Date(T0)],
  );
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, detail)
     VALUES ('wo-c', $1, 'scan', 'op-1', 'ma', '{"action": "start"}')`,
    [new Date(T0)],
  );
});
afterAll(() => pool?.end());

describe('operation totals after count attribution', () => {
  it('stay the sums of the count events through late, repeated and overlapping attributions', async () => {
    await count(10, 3);
    await count(20, 2, 1);
    await attribute(10);
    expect(await totals()).toEqual({ good: '5', rejected: '1', sum_good: '5', sum_rejected: '1' });

    // A late count between the two: attributed again from its time, the later one again too.
    await count(15, 4);
    await attribute(15);
    expect(await totals()).toEqual({ good: '9', rejected: '1', sum_good: '9', sum_rejected: '1' });

    // The same commit redone (a consumer's retry, a catch-up after a restart): nothing moves.
    await attribute(15);
    await attribute(0);
    expect(await totals()).toEqual({ good: '9', rejected: '1', sum_good: '9', sum_rejected: '1' });

    // A count before the operation started belongs to no operation.
    await count(-5, 7);
    await count(30, 1, 2);
    await attribute(-5);
    expect(await totals()).toEqual({
      good: '10',
      rejected: '3',
      sum_good: '10',
      sum_rejected: '3',
    });
  });
});
