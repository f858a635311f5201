import type { Pool } from 'pg';
import { eventText, type Reader } from '../queries/message-text';
import { orderView as viewOf } from '../queries/orders';
import { loadOrder } from './store';

/**
 * An order as the API shows it (queries/orders.ts) with its history, newest first; a refused
 * scan's reason in the reader's language (queries/message-text.ts).
 */
export async function orderView(
  pool: Pool,
  id: string,
  reader: Reader = { lang: 'en', timeZone: 'UTC' },
) {
  const record = await loadOrder(pool, id);
  if (!record) return undefined;
  const history = await pool.query<{
    time: Date;
    kind: string;
    operation: string | null;
    good: string | null;
    rejected: string | null;
    detail: Record<string, unknown> | null;
  }>(
    'SELECT time, kind, operation_id AS operation, good, rejected, detail FROM work_order_events WHERE work_order_id = $1 ORDER BY time DESC, id DESC LIMIT 100',
    [record.order.id],
  );
  // bigint columns come back from pg as strings: the API's counts are JSON numbers; the
  // time as the ISO string JSON.stringify made of the Date.
  const rows = history.rows.map((h) => ({
    ...h,
    time: h.time.toISOString(),
    good: h.good === null ? null : Number(h.good),
    rejected: h.rejected === null ? null : Number(h.rejected),
    ...eventText(h.kind, h.detail, reader),
  }));
  return { ...(await viewOf(pool, record)), history: rows };
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
      progress: o.progress,
      startedAt: o.startedAt,
      completedAt: o.completedAt,
    })),
    good: view.good,
    progress: view.progress,
    eta: view.eta,
    lateRisk: view.lateRisk,
    history: view.history.flatMap((h) => {
      const event = customerEvent(h);
      return event ? [{ time: h.time, event, operation: h.operation }] : [];
    }),
  };
}

/** What the customer reads of a change (docs/decisions.md, "Issue 20 — order changes and their trail"). */
const CUSTOMER_CHANGES: Record<string, string> = {
  hold: 'held',
  resume: 'resumed',
  cancel: 'cancelled',
};

/**
 * An event as the customer's history names it, or undefined for what is the plant's own:
 * refusals, counts, and changes of priority or routing. A new due date or quantity shows.
 */
function customerEvent(h: OrderView['history'][number]): string | undefined {
  if (h.kind === 'created') return 'created';
  if (h.kind === 'scan') return String(h.detail?.action ?? 'scan');
  if (h.kind !== 'changed') return undefined;
  const change = String(h.detail?.change ?? '');
  if (CUSTOMER_CHANGES[change]) return CUSTOMER_CHANGES[change];
  const after = (h.detail?.after ?? {}) as Record<string, unknown>;
  return 'dueAt' in after || 'quantity' in after ? 'changed' : undefined;
}
