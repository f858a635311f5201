import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { operationActivity, rateWindowCuts } from '../../src/queries/orders';
import { RATE_WINDOW_MS } from '../../src/domain/order-figures';
import { createTestDatabase } from '../helpers/test-db';

/*
 * An operation's good pieces over the last hour (`operationActivity`'s recentGood) read whole
 * minutes from operation_counts_1m (migration 058) and the window's ragged ends from the raw
 * count events: the figure must be the raw events' sum whatever the events' order, their
 * updates and deletes, and wherever the window's ends fall.
 */
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
let pool: pg.Pool;

const event = (order: string, op: string, atMs: number, good: number | null, detail?: object) =>
  pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected, detail)
     VALUES ($1, $2, 'count', $3, 'ma', $4, 0, $5)`,
    [order, new Date(atMs), op, good, detail ? JSON.stringify(detail) : null],
  );

/** recentGood of every operation at `now`, and the sums of the raw events in (now - 1 h, now]. */
async function both(now: number) {
  const activity = await operationActivity(pool, ['wo-a', 'wo-b'], now);
  const { rows } = await pool.query<{ work_order_id: string; id: string; good: string }>(
    `SELECT o.work_order_id, o.id,
            (SELECT coalesce(sum(e.good), 0) FROM work_order_events e
              WHERE e.work_order_id = o.work_order_id AND e.operation_id = o.id AND e.kind = 'count'
                AND e.time > $1 AND e.time <= $2) AS good
       FROM work_order_operations o ORDER BY 1, 2`,
    [new Date(now - RATE_WINDOW_MS), new Date(now)],
  );
  return {
    read: rows.map((r) => activity.get(r.work_order_id)?.get(r.id)?.recentGood),
    raw: rows.map((r) => Number(r.good)),
  };
}

/** Times around the window's ends and the minutes' edges, for a `now` of T0 + 2 h + `offset`. */
const nows = [0, 1, 59_999, 30_000, 123].map((offset) => T0 + 2 * 3_600_000 + offset);

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_operation_rates') });
  await migrate(pool, pino({ level: 'silent' }));
  await pool.query("INSERT INTO work_orders (id, quantity) VALUES ('wo-a', 100), ('wo-b', 100)");
  // Two operations of one order on the same machine: their pieces must not mix.
  await pool.query(
    `INSERT INTO work_order_operations (work_order_id, position, id, machine_id, status)
     VALUES ('wo-a', 1, 'op-10', 'ma', 'running'), ('wo-a', 2, 'op-30', 'ma', 'pending'),
            ('wo-b', 1, 'op-10', 'mb', 'running')`,
  );
  // Late first: events older than the ones already stored, on minute edges and the window's.
  const edges = nows.flatMap((now) => [
    now - RATE_WINDOW_MS, // `from` itself: outside
    now - RATE_WINDOW_MS + 1,
    now, // `to` itself: inside
    now + 1,
    Math.floor(now / MIN) * MIN,
    Math.floor(now / MIN) * MIN - 1,
    Math.floor((now - RATE_WINDOW_MS) / MIN) * MIN + MIN,
    Math.floor((now - RATE_WINDOW_MS) / MIN) * MIN + MIN - 1,
  ]);
  for (const [k, at] of [...edges].reverse().entries())
    await event(k % 3 === 0 ? 'wo-b' : 'wo-a', k % 2 === 0 ? 'op-10' : 'op-30', at, k + 1);
  // A piece every 7 s over three hours, in one statement, and some without a good count.
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected)
     SELECT 'wo-a', $1::timestamptz + make_interval(secs => s * 7), 'count',
            CASE WHEN s % 4 = 0 THEN 'op-30' ELSE 'op-10' END, 'ma',
            CASE WHEN s % 11 = 0 THEN NULL ELSE s % 5 END, CASE WHEN s % 13 = 0 THEN NULL ELSE s % 3 END
       FROM generate_series(0, 3 * 3600 / 7) s`,
    [new Date(T0)],
  );
  // A hand report (detail) counts as well, and scan events do not.
  await event('wo-a', 'op-10', T0 + 2 * 3_600_000 - 10 * MIN, 40, { source: 'station' });
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good)
     VALUES ('wo-a', $1, 'scan', 'op-10', 'ma', 1000)`,
    [new Date(T0 + 2 * 3_600_000 - 5 * MIN)],
  );
});
afterAll(() => pool?.end());

describe("an operation's good pieces over the last hour", () => {
  it('are the raw events’ sums wherever the window ends fall', async () => {
    for (const now of nows) {
      const { read, raw } = await both(now);
      expect(read, new Date(now).toISOString()).toEqual(raw);
    }
    // The fixture really fills the window (the sums are not all zero).
    expect((await both(nows[0]!)).raw.every((g) => g > 0)).toBe(true);
  });

  it('stay the raw sums after events are changed, moved to another operation and deleted', async () => {
    await pool.query(
      `UPDATE work_order_events SET good = good + 3, rejected = rejected + 1
        WHERE kind = 'count' AND time >= $1 AND time < $2`,
      [new Date(T0 + 90 * MIN), new Date(T0 + 100 * MIN)],
    );
    await pool.query(
      `UPDATE work_order_events SET operation_id = 'op-30'
        WHERE kind = 'count' AND operation_id = 'op-10' AND work_order_id = 'wo-a'
          AND time >= $1 AND time < $2`,
      [new Date(T0 + 110 * MIN), new Date(T0 + 115 * MIN)],
    );
    await pool.query(
      "DELETE FROM work_order_events WHERE kind = 'count' AND time >= $1 AND time < $2",
      [new Date(T0 + 70 * MIN), new Date(T0 + 80 * MIN)],
    );
    for (const now of nows) {
      const { read, raw } = await both(now);
      expect(read, new Date(now).toISOString()).toEqual(raw);
    }
  });

  it("hold each operation's good and rejected pieces of all time, as `recount` reads them", async () => {
    const totals = (from: string) =>
      pool.query<{ work_order_id: string; id: string; good: string; rejected: string }>(
        `SELECT o.work_order_id, o.id, coalesce(sum(x.good), 0) AS good,
                coalesce(sum(x.rejected), 0) AS rejected
           FROM work_order_operations o LEFT JOIN ${from} x
             ON x.work_order_id = o.work_order_id AND x.operation_id = o.id
          GROUP BY 1, 2 ORDER BY 1, 2`,
      );
    const rolled = await totals('operation_counts_1m');
    const raw = await totals("(SELECT * FROM work_order_events WHERE kind = 'count')");
    expect(rolled.rows).toEqual(raw.rows);
    // Both operations of wo-a have rejects, changed, moved and deleted (the sums are not zero).
    const a = raw.rows.filter((r) => r.work_order_id === 'wo-a');
    expect(a.map((r) => r.id)).toEqual(['op-10', 'op-30']);
    expect(a.every((r) => Number(r.rejected) > 0 && Number(r.good) > 0)).toBe(true);
  });

  it('keep one rollup row per operation and minute, none for scans', async () => {
    const { rows } = await pool.query<{ dup: string; scans: string }>(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM operation_counts_1m
                 GROUP BY work_order_id, operation_id, bucket HAVING count(*) > 1) d) AS dup,
              (SELECT coalesce(sum(good), 0) FROM operation_counts_1m
                WHERE bucket = date_bin('1 minute', $1::timestamptz, TIMESTAMPTZ '2000-01-01 00:00:00+00')
                  AND work_order_id = 'wo-a' AND operation_id = 'op-10') AS scans`,
      [new Date(T0 + 2 * 3_600_000 - 5 * MIN)],
    );
    expect(rows[0]!.dup).toBe('0');
    // The scan event's good (1,000) is not in its minute: only count events are.
    expect(Number(rows[0]!.scans)).toBeLessThan(1000);
  });
});

describe('rateWindowCuts', () => {
  it('leaves `from` and the minute holding `to` to the raw events', () => {
    expect(rateWindowCuts(10 * MIN, 20 * MIN)).toEqual([10 * MIN, 20 * MIN, 11 * MIN, 20 * MIN]);
    expect(rateWindowCuts(10 * MIN + 5, 20 * MIN + 5)).toEqual([
      10 * MIN + 5,
      20 * MIN + 5,
      11 * MIN,
      20 * MIN,
    ]);
  });

  it('reads only raw events when no whole minute fits', () => {
    expect(rateWindowCuts(10 * MIN + 5, 11 * MIN + 30)).toEqual([
      10 * MIN + 5,
      11 * MIN + 30,
      11 * MIN + 30,
      11 * MIN + 30,
    ]);
  });
});
