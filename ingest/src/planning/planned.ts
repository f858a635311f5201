import type { Pool } from 'pg';
import type { OrderPlanned } from '../domain/order-figures';

type Queryable = Pick<Pool, 'query'>;

/**
 * The current plan's entry of some orders (table plan_orders and plan_operations, 044), as
 * `orderFigures` takes it: the one ETA every screen, alert and webhook reads (docs/decisions.md
 * "Issue 21 — the plan in ingest, the single ETA"). An order missing here is not planned (yet).
 * One query whatever the number of orders.
 */
export async function plannedOf(
  pool: Queryable,
  orderIds: readonly string[],
): Promise<Map<string, OrderPlanned>> {
  const out = new Map<string, OrderPlanned>();
  if (orderIds.length === 0) return out;
  const { rows } = await pool.query<{
    id: string;
    promised_at: Date;
    p10: Date;
    p90: Date;
    ops: { id: string; finish: string }[] | null;
  }>(
    `SELECT p.work_order_id AS id, p.promised_at, p.p10, p.p90,
            (SELECT json_agg(json_build_object('id', o.operation_id, 'finish', o.planned_finish))
               FROM plan_operations o WHERE o.work_order_id = p.work_order_id) AS ops
       FROM plan_orders p
      WHERE p.work_order_id = ANY($1::text[])`,
    [orderIds],
  );
  for (const r of rows)
    out.set(r.id, {
      finish: r.promised_at.getTime(),
      p10: r.p10.getTime(),
      p90: r.p90.getTime(),
      operations: new Map(
        (r.ops ?? []).map((o) => [o.id, { plannedFinish: Date.parse(o.finish) }]),
      ),
    });
  return out;
}
