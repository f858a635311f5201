import type { Pool } from 'pg';
import { eventText, type Reader } from './message-text';

/** Rows an order's history page shows at most, each list. */
export const ORDER_HISTORY_LIMIT = 1000;

/**
 * An order's scans and history (created, scans applied, scans refused), newest first, and
 * its machine counts per operation and hour: counts arrive every few seconds, so listed one
 * by one they would bury the scans (the order view's `history` holds the newest 100 events
 * of every kind). A refused scan's reason reads in the reader's language (`message`, with
 * `messageKey` and `messageParams`). Undefined when there is no such order.
 */
export async function orderHistory(
  pool: Pool,
  id: string,
  reader: Reader = { lang: 'en', timeZone: 'UTC' },
) {
  const exists = await pool.query('SELECT 1 FROM work_orders WHERE id = $1', [id]);
  if (exists.rows.length === 0) return undefined;
  // A split-off order keeps its origin's history up to the split (and the origin's origin…).
  const events = await pool.query<{
    order: string;
    time: Date;
    kind: string;
    operation: string | null;
    machine: string | null;
    detail: Record<string, unknown> | null;
  }>(
    `WITH RECURSIVE chain (id, until, depth) AS (
       SELECT $1::text, 'infinity'::timestamptz, 0
       UNION ALL
       SELECT w.split_from,
              (SELECT min(time) FROM work_order_events WHERE work_order_id = c.id), c.depth + 1
         FROM chain c JOIN work_orders w ON w.id = c.id
        WHERE w.split_from IS NOT NULL AND c.depth < 20)
     SELECT e.work_order_id AS order, e.time, e.kind, e.operation_id AS operation,
            e.machine_id AS machine, e.detail
       FROM work_order_events e JOIN chain c ON e.work_order_id = c.id AND e.time <= c.until
      WHERE e.kind <> 'count'
      ORDER BY e.time DESC, e.id DESC LIMIT $2`,
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
    events: events.rows.map(({ order, ...e }) => ({
      ...e,
      time: e.time.toISOString(),
      ...changeFields(e.kind, e.detail),
      ...eventText(e.kind, e.detail, reader),
      from: order === id ? null : order,
    })),
    counts: counts.rows.map((c) => ({
      operation: c.operation,
      machine: c.machine,
      hourStart: c.hour.toISOString(),
      good: Number(c.good),
      rejected: Number(c.rejected),
    })),
  };
}

/**
 * A `changed` event's trail as top-level fields (work-orders/changes.ts writes them in
 * `detail`): which change, who, and the fields before and after; null for other events.
 */
function changeFields(kind: string, detail: Record<string, unknown> | null) {
  const d = kind === 'changed' && detail ? detail : {};
  return {
    change: typeof d.change === 'string' ? d.change : null,
    by: typeof d.by === 'string' ? d.by : null,
    before: (d.before as Record<string, unknown> | undefined) ?? null,
    after: (d.after as Record<string, unknown> | undefined) ?? null,
  };
}
