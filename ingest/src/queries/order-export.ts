import type { OrderExportQuery } from '@takt/protocol';
import type { Pool } from 'pg';
import { operatorHours, type ScanRecord } from '../domain/order-kpis';
import { orderStatus } from '../domain/work-orders';
import { loadOrders } from '../work-orders/store';

/** One finished operation as the export writes it (docs/decisions.md "Issue 20 — the Import page, exports and order status webhooks"). */
export interface ExportRow {
  order: string;
  product: string | null;
  customer: string | null;
  orderQuantity: number;
  orderStatus: string;
  operation: string;
  machine: string;
  operationStatus: string;
  startedAt: Date | null;
  finishedAt: Date;
  good: number;
  rejected: number;
  /** Sum of every operator's hours on the operation (ingest/src/domain/order-kpis.ts). */
  operatorHours: number;
  /** `badge hours` per operator, e.g. `B-17 1.25`, sorted by badge. */
  operators: string;
}

/** At most this many operations per export (a year of a busy plant's completions). */
export const EXPORT_ROW_LIMIT = 100_000;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The applied start/pause/complete scans of these orders, oldest first, per order. */
async function scansByOrder(pool: Pool, ids: readonly string[]) {
  const { rows } = await pool.query<{
    work_order_id: string;
    time: Date;
    operation_id: string;
    action: ScanRecord['action'];
    operator: string | null;
  }>(
    `SELECT work_order_id, time, operation_id, detail->>'action' AS action, detail->>'operator' AS operator
       FROM work_order_events
      WHERE work_order_id = ANY($1::text[]) AND kind = 'scan'
        AND detail->>'action' IN ('start', 'pause', 'complete')
      ORDER BY time, id`,
    [ids],
  );
  const out = new Map<string, ScanRecord[]>();
  for (const r of rows) {
    const list = out.get(r.work_order_id) ?? [];
    list.push({
      ts: r.time.getTime(),
      operation: r.operation_id,
      action: r.action,
      operator: r.operator,
    });
    out.set(r.work_order_id, list);
  }
  return out;
}

/**
 * Operations finished in [fromMs, toMs), oldest finish first, of orders in `status` when
 * given. Operator hours: an operator named on a start scan (or badged in at the station,
 * which the scan then names) works the operation until its pause or complete scan — the
 * rule of the KPIs' output per operator-hour (docs/work-orders.md "KPIs").
 */
export async function exportRows(
  pool: Pool,
  q: Pick<OrderExportQuery, 'status'>,
  fromMs: number,
  toMs: number,
  now = Date.now(),
): Promise<ExportRow[]> {
  const finished = await pool.query<{ work_order_id: string }>(
    `SELECT DISTINCT work_order_id FROM work_order_operations
      WHERE completed_at >= $1 AND completed_at < $2`,
    [new Date(fromMs), new Date(toMs)],
  );
  const ids = finished.rows.map((r) => r.work_order_id);
  const records = await loadOrders(pool, ids);
  const scans = await scansByOrder(pool, ids);
  const rows: ExportRow[] = [];
  for (const record of records) {
    // As the order view says it: a cancel outranks a hold, both outrank progress.
    const status = record.cancelled
      ? 'cancelled'
      : record.held
        ? 'held'
        : orderStatus(record.order);
    if (q.status && status !== q.status) continue;
    for (const op of record.order.operations) {
      if (op.completedAt === null || op.completedAt < fromMs || op.completedAt >= toMs) continue;
      const mine = (scans.get(record.order.id) ?? []).filter((s) => s.operation === op.id);
      const hours = [...operatorHours(mine, 0, now)].sort(([a], [b]) => a.localeCompare(b));
      rows.push({
        order: record.order.id,
        product: record.product,
        customer: record.customer,
        orderQuantity: record.order.quantity,
        orderStatus: status,
        operation: op.id,
        machine: op.machine,
        operationStatus: op.status,
        startedAt: op.startedAt === null ? null : new Date(op.startedAt),
        finishedAt: new Date(op.completedAt),
        good: op.good,
        rejected: op.rejected,
        operatorHours: round3(hours.reduce((s, [, h]) => s + h, 0)),
        operators: hours.map(([who, h]) => `${who} ${round3(h)}`).join('; '),
      });
    }
  }
  rows.sort(
    (a, b) => a.finishedAt.getTime() - b.finishedAt.getTime() || a.order.localeCompare(b.order),
  );
  return rows.slice(0, EXPORT_ROW_LIMIT);
}
