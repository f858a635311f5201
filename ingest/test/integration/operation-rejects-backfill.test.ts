import { readFileSync } from 'node:fs';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrationsDir } from '../../src/db/migrate';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Migration 060 on a database that already holds count events: the operations' minute rollup
 * gets their rejected pieces from the stored events, so a recount (work-orders/apply.ts) after
 * the upgrade gives what the raw events say.
 */
const MIGRATION_060 = '060_operation_rejects_1m.sql';
let pool: pg.Pool;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_operation_rejects') });
  await migrate(pool, log);
  // Back to how migration 058 left the database: no rejected column, 058's trigger functions.
  await pool.query('DELETE FROM schema_migrations WHERE name = $1', [MIGRATION_060]);
  await pool.query('ALTER TABLE operation_counts_1m DROP COLUMN rejected');
  const m058 = readFileSync(new URL('058_operation_counts_1m.sql', migrationsDir), 'utf8');
  for (const fn of m058.match(/CREATE FUNCTION[\s\S]*?END \$\$;/g)!)
    await pool.query(fn.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  await pool.query("INSERT INTO work_orders (id, quantity) VALUES ('wo-a', 100)");
  await pool.query(
    `INSERT INTO work_order_operations (work_order_id, position, id, machine_id, status)
     VALUES ('wo-a', 1, 'op-10', 'ma', 'running'), ('wo-a', 2, 'op-30', 'ma', 'pending')`,
  );
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected)
     SELECT 'wo-a', TIMESTAMPTZ '2026-11-20 08:00Z' + make_interval(secs => s * 7), 'count',
            CASE WHEN s % 4 = 0 THEN 'op-30' ELSE 'op-10' END, 'ma', s % 5,
            CASE WHEN s % 13 = 0 THEN NULL ELSE s % 3 END
       FROM generate_series(0, 2000) s`,
  );
});
afterAll(() => pool?.end());

describe('migration 060 on stored count events', () => {
  it("fills each minute's rejected pieces from the events, and keeps them after", async () => {
    expect(await migrate(pool, log)).toEqual([MIGRATION_060]);
    await pool.query(
      `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected)
       VALUES ('wo-a', TIMESTAMPTZ '2026-11-20 08:00:30Z', 'count', 'op-10', 'ma', 1, 4)`,
    );
    const totals = (from: string) =>
      pool.query<{ id: string; bucket: Date; good: string; rejected: string }>(
        `SELECT operation_id AS id, date_bin('1 minute', time, TIMESTAMPTZ '2000-01-01Z') AS bucket,
                coalesce(sum(good), 0) AS good, coalesce(sum(rejected), 0) AS rejected
           FROM ${from} GROUP BY 1, 2 ORDER BY 1, 2`,
      );
    const rolled = await totals(
      '(SELECT operation_id, bucket AS time, good, rejected FROM operation_counts_1m) x',
    );
    const raw = await totals("(SELECT * FROM work_order_events WHERE kind = 'count') x");
    expect(rolled.rows).toEqual(raw.rows);
    expect(raw.rows.filter((r) => Number(r.rejected) > 0).length).toBeGreaterThan(100);
  });
});
