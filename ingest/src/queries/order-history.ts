import type { Pool } from 'pg';

/** Rows an order's history page shows at most, each list. */
export const ORDER_HISTORY_LIMIT = 1000;

/**
 * An order's scans and history (created, scans applied, scans refused), newest first, and
 * its machine counts per operation and hour: counts arrive every few seconds, so listed one
 * by one they would bury the scans (the order view's `history` holds the newest 100 events
 * of every kind). Undefined when there is no such order.
 */
export async function orderHistory(pool: Pool, id: string) {
  const exists = await pool.query('SELECT 1 FROM work_orders WHERE id = $1', [id]);
  if (exists.rows.length === 0) return undefined;
  const events = await pool.query<{
    time: Date;
    kind: string;
    operation: string | null;
    machine: string | null;
    detail: Record<string, unknown> | null;
  }>(
    `SELECT time, kind, operation_id AS operation, machine_id AS machine, detail
       FROM work_order_events WHERE work_order_id = $1 AND kind <> 'count'
      ORDER BY time DESC, id DESC LIMIT $2`,
    [id, ORDER_HISTORY_LIMIT],
  );
  const counts = await pool.query<{
    operation: string | null;
    machine: string | null;
    hour: Date;
    good: string;
    rejected: string;
  }>(
    `SELECT operation_id AS operation, machine_id AS machine,
            date_bin('1 hour', time, TIMESTAMPTZ 'epoch') AS hour,
            coalesce(sum(good), 0) AS good, coalesce(sum(rejected), 0) AS rejected
       FROM work_order_events WHERE work_order_id = $1 AND kind = 'count'
      GROUP BY 1, 2, 3 ORDER BY 3 DESC, 1 LIMIT $2`,
    [id, ORDER_HISTORY_LIMIT],
  );
  return {
    id,
    events: events.rows.map((e) => ({ ...e, time: e.time.toISOString() })),
    counts: counts.rows.map((c) => ({
      operation: c.operation,
      machine: c.machine,
      hourStart: c.hour.toISOString(),
      good: Number(c.good),
      rejected: Number(c.rejected),
    })),
  };
}
