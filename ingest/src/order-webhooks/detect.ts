import type { OrderStatusWebhook } from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction';
import { orderFigures } from '../domain/order-figures';
import {
  statusDiffers,
  statusEvents,
  type AnnouncedStatus,
  type OrderProgress,
} from '../domain/order-status-events';
import { plannedOf } from '../planning/planned';
import { operationActivity, RATE_WINDOW_MS, STALL_AFTER_MS } from '../queries/orders';
import { loadOrders } from '../work-orders/store';

/** Serialises detection across ingest instances (pg_advisory_xact_lock's key). */
const DETECT_LOCK = 0x7a6b_0040;

interface OrderNow {
  id: string;
  product: string | null;
  customer: string | null;
  quantity: number;
  due_at: Date | null;
  progress: OrderProgress;
  held: boolean;
  cancelled: boolean;
  seen_progress: OrderProgress | null;
  seen_held: boolean | null;
  seen_cancelled: boolean | null;
  seen_late_risk: boolean | null;
}

/** Orders not yet announced as completed or cancelled, with what holds now and what was said. */
async function openOrders(client: PoolClient): Promise<OrderNow[]> {
  const { rows } = await client.query<OrderNow>(
    `SELECT w.id, w.product_id AS product, w.customer, w.quantity, w.due_at,
            CASE WHEN count(o.id) > 0 AND bool_and(o.status = 'done') THEN 'completed'
                 WHEN bool_or(o.started_at IS NOT NULL) THEN 'started'
                 ELSE 'released' END AS progress,
            w.held_at IS NOT NULL AS held, w.cancelled_at IS NOT NULL AS cancelled,
            s.progress AS seen_progress, s.held AS seen_held, s.cancelled AS seen_cancelled,
            s.late_risk AS seen_late_risk
       FROM work_orders w
       LEFT JOIN work_order_operations o ON o.work_order_id = w.id
       LEFT JOIN order_status_seen s ON s.work_order_id = w.id
      WHERE s.work_order_id IS NULL OR (NOT s.cancelled AND s.progress <> 'completed')
      GROUP BY w.id, s.work_order_id`,
  );
  return rows;
}

/** Late risk as the screens judge it (domain/order-figures.ts), for open orders not held. */
async function lateRisks(pool: Pick<Pool, 'query'>, ids: readonly string[], now: number) {
  const out = new Set<string>();
  if (ids.length === 0) return out;
  const records = await loadOrders(pool, ids);
  const activity = await operationActivity(pool as unknown as Pool, ids, now);
  const planned = await plannedOf(pool, ids);
  for (const r of records) {
    const figures = orderFigures({
      order: r.order,
      planned: planned.get(r.order.id),
      createdAt: Date.parse(r.createdAt),
      activity: activity.get(r.order.id) ?? new Map(),
      now,
      rateWindowMs: RATE_WINDOW_MS,
      stallAfterMs: STALL_AFTER_MS,
    });
    if (figures.lateRisk) out.add(r.order.id);
  }
  return out;
}

const announced = (o: OrderNow): AnnouncedStatus | undefined =>
  o.seen_progress === null
    ? undefined
    : {
        progress: o.seen_progress,
        held: o.seen_held ?? false,
        cancelled: o.seen_cancelled ?? false,
        lateRisk: o.seen_late_risk ?? false,
      };

/**
 * Compares every open order with what was last announced and, in one transaction, writes the
 * new announcement and one outbox row per event and receiver that asked for it. Late risk is
 * judged only when `judgeRisk` (it costs the order figures); otherwise the stored one stands.
 * Returns how many outbox rows were written.
 */
export async function detectStatusChanges(
  pool: Pool,
  webhooks: readonly OrderStatusWebhook[],
  now: number,
  judgeRisk: boolean,
): Promise<number> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [DETECT_LOCK]);
    const orders = await openOrders(client);
    const risky = judgeRisk
      ? await lateRisks(
          client,
          orders.filter((o) => o.progress !== 'completed' && !o.cancelled).map((o) => o.id),
          now,
        )
      : undefined;
    let written = 0;
    for (const o of orders) {
      const before = announced(o);
      const current: AnnouncedStatus = {
        progress: o.progress,
        held: o.held,
        cancelled: o.cancelled,
        lateRisk: risky ? risky.has(o.id) : (before?.lateRisk ?? false),
      };
      if (!statusDiffers(before, current)) continue;
      await client.query(
        `INSERT INTO order_status_seen (work_order_id, progress, held, cancelled, late_risk, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (work_order_id) DO UPDATE SET progress = $2, held = $3, cancelled = $4,
                late_risk = $5, updated_at = $6`,
        [o.id, current.progress, current.held, current.cancelled, current.lateRisk, new Date(now)],
      );
      for (const event of statusEvents(before, current)) {
        const payload = {
          event,
          order: o.id,
          product: o.product,
          customer: o.customer,
          quantity: o.quantity,
          dueAt: o.due_at?.toISOString() ?? null,
          at: new Date(now).toISOString(),
        };
        for (const hook of webhooks.filter((w) => w.events.includes(event))) {
          await client.query(
            `INSERT INTO order_status_outbox (webhook_id, work_order_id, event, occurred_at, payload, next_at)
             VALUES ($1, $2, $3, $4, $5, $4)`,
            [hook.id, o.id, event, new Date(now), payload],
          );
          written++;
        }
      }
    }
    return written;
  });
}
