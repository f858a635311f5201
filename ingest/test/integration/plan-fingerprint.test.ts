import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { PLAN_FINGERPRINT } from '../../src/planning/service';
import { createTestDatabase } from '../helpers/test-db';

/*
 * The plan service's look for changes (`PLAN_FINGERPRINT`) finds the newest created, changed
 * or scan event in one probe of migration 059's index, not by walking back past every count
 * event stored since (docs/decisions.md "Issue 22 — the tenth pass").
 */
const COUNTS = 5_000;
let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_plan_fingerprint') });
  await migrate(pool, pino({ level: 'silent' }));
  await pool.query("INSERT INTO work_orders (id, quantity) VALUES ('wo-a', 100)");
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind) VALUES ('wo-a', now() - interval '2 hours', 'created')`,
  );
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected)
     SELECT 'wo-a', now() - interval '1 hour' + i * interval '1 second', 'count', 'op-10', 'ma', 1, 0
       FROM generate_series(1, $1) AS i`,
    [COUNTS],
  );
  await pool.query('ANALYZE work_order_events');
});

afterAll(async () => {
  await pool?.end();
});

describe('the plan fingerprint', () => {
  it('names the newest created, changed or scan event and the newest event of any kind', async () => {
    const { rows: ids } = await pool.query<{ created: string; last: string }>(
      `SELECT (SELECT id FROM work_order_events WHERE kind = 'created') AS created,
              (SELECT max(id) FROM work_order_events) AS last`,
    );
    const { rows } = await pool.query<{ event: string; count: string }>(PLAN_FINGERPRINT);
    expect(rows[0]!.event).toBe(ids[0]!.created);
    expect(rows[0]!.count).toBe(ids[0]!.last);
  });

  it('reads a few pages, not the count events stored since the last change', async () => {
    const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON) ${PLAN_FINGERPRINT}`,
    );
    const plan = rows[0]!['QUERY PLAN'][0].Plan;
    expect(indexesOf(plan)).toContain('work_order_events_plan_changes');
    // Walking back through the primary key read every one of the 5,000 count events (dozens
    // of pages); the index holds one entry here.
    expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(20);
  });
});

interface PlanNode {
  'Index Name'?: string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

function indexesOf(node: PlanNode): string[] {
  return [
    ...(node['Index Name'] ? [node['Index Name']] : []),
    ...(node.Plans ?? []).flatMap(indexesOf),
  ];
}
