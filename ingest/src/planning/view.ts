import { SERVER_MESSAGES, renderMessage, type MessageLang, type PlanView } from '@takt/protocol';
import type { Pool } from 'pg';
import { orderFigures, RATE_WINDOW_MS, STALL_AFTER_MS } from '../domain/order-figures';
import { operationActivity } from '../queries/orders';
import { loadOrders } from '../work-orders/store';
import type { CurrentPlan } from './service';

const iso = (ms: number) => new Date(ms).toISOString();

export interface PlanFilter {
  line?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * GET /api/plan's answer: the plan's operations (on one line's machines and overlapping
 * `from`..`to` when asked), every planned order with its health — the same `orderFigures` the
 * order pages read, fed by this plan — and the unplannable ones with their reason in `lang`.
 */
export async function planView(
  pool: Pool,
  { plan, gathered }: CurrentPlan,
  filter: PlanFilter,
  lang: MessageLang,
  now: number,
): Promise<PlanView> {
  const machines = gathered.machines.filter(
    (m) => filter.line === undefined || m.line === filter.line,
  );
  const onLine = new Set(machines.map((m) => m.id));
  const from = filter.from === undefined ? -Infinity : Date.parse(filter.from);
  const to = filter.to === undefined ? Infinity : Date.parse(filter.to);
  const operations = plan.operations.filter(
    (o) => onLine.has(o.machine) && o.plannedFinish >= from && o.plannedStart < to,
  );
  const ids = plan.orders.map((o) => o.order);
  const records = new Map((await loadOrders(pool, ids)).map((r) => [r.order.id, r]));
  const activity = await operationActivity(pool, ids, now);
  const byOrder = new Map<string, Map<string, { plannedFinish: number }>>();
  for (const o of plan.operations) {
    const m = byOrder.get(o.order) ?? new Map<string, { plannedFinish: number }>();
    byOrder.set(o.order, m);
    m.set(o.operation, { plannedFinish: o.plannedFinish });
  }
  const orders = plan.orders.flatMap((p) => {
    const record = records.get(p.order);
    if (!record) return []; // gone since the plan was made
    const figures = orderFigures({
      order: record.order,
      planned: {
        finish: p.promisedAt,
        p10: p.p10,
        p90: p.p90,
        operations: byOrder.get(p.order) ?? new Map(),
      },
      createdAt: Date.parse(record.createdAt),
      activity: activity.get(p.order) ?? new Map(),
      now,
      rateWindowMs: RATE_WINDOW_MS,
      stallAfterMs: STALL_AFTER_MS,
    });
    return [
      {
        order: p.order,
        product: record.product,
        quantity: record.order.quantity,
        priority: record.priority,
        dueAt: p.dueAt === null ? null : iso(p.dueAt),
        promisedAt: iso(p.promisedAt),
        p10: iso(p.p10),
        p90: iso(p.p90),
        lateRisk: p.lateRisk,
        health: figures.health,
      },
    ];
  });
  const timeZone = gathered.input.calendar.timeZone;
  return {
    computedAt: iso(plan.computedAt),
    timeZone,
    machines: machines.map((m) => ({ id: m.id, name: m.name, line: m.line })),
    operations: operations.map((o) => ({
      order: o.order,
      operation: o.operation,
      machine: o.machine,
      product: o.product,
      remaining: o.remaining,
      plannedStart: iso(o.plannedStart),
      plannedFinish: iso(o.plannedFinish),
      p10Finish: iso(o.p10Finish),
      p90Finish: iso(o.p90Finish),
      changeoverMs: o.changeoverMs,
      running: o.running,
    })),
    orders,
    unplannable: plan.unplannable.map((u) => ({
      order: u.order,
      operation: u.operation,
      reason: renderMessage(SERVER_MESSAGES, u.reason, lang, { timeZone }),
      reasonKey: u.reason.key,
      reasonParams: u.reason.params ?? {},
    })),
  };
}
