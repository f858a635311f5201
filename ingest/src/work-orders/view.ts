import type { Pool } from 'pg';
import { isStalled, orderProgress } from '../domain/work-orders';
import { loadOrder } from './store';

const STALL_AFTER_MS = 2 * 3_600_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An order as the API shows it: progress, ETA from the last hour's rate, stalled, history. */
export async function orderView(pool: Pool, id: string) {
  const record = await loadOrder(pool, id);
  if (!record) return undefined;
  const { order } = record;
  const last = order.operations.at(-1)!;
  const rate = await pool.query<{ good: string; last_at: Date | null }>(
    `SELECT coalesce(sum(good) FILTER (WHERE time > now() - interval '1 hour'), 0) AS good,
            max(time) FILTER (WHERE good > 0) AS last_at
       FROM work_order_events WHERE work_order_id = $1 AND kind = 'count' AND operation_id = $2`,
    [order.id, last.id],
  );
  const now = Date.now();
  const progress = orderProgress(order, now, Number(rate.rows[0]!.good));
  const history = await pool.query<{
    time: Date;
    kind: string;
    operation: string | null;
    good: string | null;
    rejected: string | null;
    detail: Record<string, unknown> | null;
  }>(
    'SELECT time, kind, operation_id AS operation, good, rejected, detail FROM work_order_events WHERE work_order_id = $1 ORDER BY time DESC, id DESC LIMIT 100',
    [order.id],
  );
  return {
    id: order.id,
    product: record.product,
    customer: record.customer,
    priority: record.priority,
    quantity: order.quantity,
    dueAt: iso(order.dueAt),
    ...progress,
    eta: iso(progress.eta),
    stalled: isStalled(order, rate.rows[0]!.last_at?.getTime() ?? null, now, STALL_AFTER_MS),
    operations: order.operations.map((o) => ({
      ...o,
      startedAt: iso(o.startedAt),
      completedAt: iso(o.completedAt),
    })),
    history: history.rows,
  };
}

export type OrderView = NonNullable<Awaited<ReturnType<typeof orderView>>>;

/**
 * What a customer sees of an order: where it stands (the current operation as its stage),
 * progress, ETA, and the history of operations started, paused and completed. Not the
 * machines, operators, scrap reasons, refused scans or priority: those are the plant's.
 */
export function customerOrderView(view: OrderView) {
  const stage =
    view.operations.find((o) => o.status === 'running') ??
    view.operations.find((o) => o.status !== 'done') ??
    null;
  return {
    id: view.id,
    product: view.product,
    quantity: view.quantity,
    dueAt: view.dueAt,
    status: view.status,
    stage: stage && { operation: stage.id, status: stage.status },
    stages: view.operations.map((o) => ({
      operation: o.id,
      status: o.status,
      startedAt: o.startedAt,
      completedAt: o.completedAt,
    })),
    good: view.good,
    progress: view.progress,
    eta: view.eta,
    lateRisk: view.lateRisk,
    history: view.history
      .filter((h) => h.kind === 'created' || h.kind === 'scan')
      .map((h) => ({
        time: h.time,
        event: h.kind === 'created' ? 'created' : String(h.detail?.action ?? 'scan'),
        operation: h.operation,
      })),
  };
}
