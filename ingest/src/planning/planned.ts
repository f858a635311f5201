import type { Pool } from 'pg';
import type { OrderPlanned } from '../domain/order-figures';

type Queryable = Pick<Pool, 'query'>;

/**
 * The current plan's entry of some orders (table plan_orders and plan_operations, 044), as
 * `orderFigures` takes it: the one ETA every screen, alert and webhook reads (docs/decisions.md
 * "Issue 21 — the plan in ingest, the single ETA"). An order missing here is not planned (yet).
 * Two queries whatever the number of orders.
 */
export async function plannedOf(
  pool: Queryable,
  orderIds: readonly string[],
): Promise<Map<string, OrderPlanned>> {
  const out = new Map<string, OrderPlanned>();
  if (orderIds.length === 0) return out;
  const orders = await pool.query<{ id: string; promised_at: Date; p10: Date; p90: Date }>(
    `SELECT work_order_id AS id, promised_at, p10, p90 FROM plan_orders
      WHERE work_order_id = ANY($1::text[])`,
    [orderIds],
  );
  if (orders.rows.length === 0) return out;
  const ops = await pool.query<{ order_id: string; id: string; planned_finish: Date }>(
    `SELECT work_order_id AS order_id, operation_id AS id, planned_finish FROM plan_operations
      WHERE work_order_id = ANY($1::text[])`,
    [orders.rows.map((r) => r.id)],
  );
  const byOrder = new Map<string, Map<string, { plannedFinish: number }>>();
  for (const r of ops.rows) {
    const m = byOrder.get(r.order_id) ?? new Map<string, { plannedFinish: number }>();
    byOrder.set(r.order_id, m);
    m.set(r.id, { plannedFinish: r.planned_finish.getTime() });
  }
  for (const r of orders.rows)
    out.set(r.id, {
      finish: r.promised_at.getTime(),
      p10: r.p10.getTime(),
      p90: r.p90.getTime(),
      operations: byOrder.get(r.id) ?? new Map(),
    });
  return out;
}
