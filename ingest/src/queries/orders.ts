import type { Pool } from 'pg';
import { accountTime } from '../domain/machine-time';
import { combineOeeInputs, computeOee, type OeeInput } from '../domain/oee';
import {
  orderFigures,
  RATE_WINDOW_MS,
  STALL_AFTER_MS,
  type OperationActivity,
  type OrderFigures,
} from '../domain/order-figures';
import { deliveryKpis, operationRuns, operatorHours, type ScanRecord } from '../domain/order-kpis';
import { orderStatus, type OrderStatus } from '../domain/work-orders';
import { plannedOf } from '../planning/planned';
import { loadOrders, type OrderRecord } from '../work-orders/store';
import { machinesOf, machineWindow } from './oee';

export { RATE_WINDOW_MS, STALL_AFTER_MS };

/** Epoch ms as ISO; a time that is always there stays typed as a string. */
function iso(ms: number): string;
function iso(ms: number | null): string | null;
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
const msOf = (d: Date | null) => d?.getTime() ?? null;

/** The applied scans of an order, oldest first (implicit pauses included). */
async function scansOf(pool: Pool, orderIds: readonly string[]) {
  const { rows } = await pool.query<{
    work_order_id: string;
    time: Date;
    operation_id: string;
    action: ScanRecord['action'];
    operator: string | null;
  }>(
    `SELECT work_order_id, time, operation_id, detail->>'action' AS action, detail->>'operator' AS operator
       FROM work_order_events
      WHERE work_order_id = ANY($1::text[]) AND kind = 'scan' AND detail->>'action' IN ('start', 'pause', 'complete')
      ORDER BY time, id`,
    [orderIds],
  );
  const out = new Map<string, ScanRecord[]>();
  for (const r of rows)
    out.set(r.work_order_id, [
      ...(out.get(r.work_order_id) ?? []),
      { ts: r.time.getTime(), operation: r.operation_id, action: r.action, operator: r.operator },
    ]);
  return out;
}

const MINUTE_MS = 60_000;

/**
 * The rate window (from, to] cut for `operationActivity`: [from, to, fc, tf], where the whole
 * minutes [fc, tf) come from operation_counts_1m (migration 058) and the raw count events give
 * (from, fc) and [tf, to]. A window without a whole minute reads only raw events (fc = tf = to).
 */
export function rateWindowCuts(from: number, to: number): [number, number, number, number] {
  const fc = Math.floor(from / MINUTE_MS) * MINUTE_MS + MINUTE_MS; // `from` itself is not in it
  const tf = Math.floor(to / MINUTE_MS) * MINUTE_MS; // the minute holding `to` may run past it
  return fc < tf ? [from, to, fc, tf] : [from, to, to, to];
}

/**
 * What counts and scans say of each operation of some orders up to `now` (its recent good
 * pieces, newest good piece and start) and the ideal cycle of the order's product on its
 * machine: the inputs of `orderFigures`, by order id then operation id, in one query. The
 * recent good pieces read whole minutes from operation_counts_1m (`rateWindowCuts`), so the
 * query costs the same an hour into a run as a minute into it.
 */
export async function operationActivity(pool: Pool, orderIds: readonly string[], now: number) {
  const { rows } = await pool.query<{
    work_order_id: string;
    id: string;
    recent_good: string;
    last_good_at: Date | null;
    last_start_at: Date | null;
    ideal_cycle_ms: number | null;
  }>(
    `SELECT o.work_order_id, o.id,
            (SELECT coalesce(sum(x.good), 0) FROM (
               SELECT c.good FROM operation_counts_1m c
                WHERE c.work_order_id = o.work_order_id AND c.operation_id = o.id
                  AND c.bucket >= $4 AND c.bucket < $5
               UNION ALL
               SELECT e.good FROM work_order_events e
                WHERE e.work_order_id = o.work_order_id AND e.time > $2 AND e.time < $4
                  AND e.operation_id = o.id AND e.kind = 'count'
               UNION ALL
               SELECT e.good FROM work_order_events e
                WHERE e.work_order_id = o.work_order_id AND e.time >= $5 AND e.time <= $3
                  AND e.operation_id = o.id AND e.kind = 'count') x) AS recent_good,
            (SELECT e.time FROM work_order_events e
              WHERE e.work_order_id = o.work_order_id AND e.time <= $3
                AND e.operation_id = o.id AND e.kind = 'count' AND e.good > 0
              ORDER BY e.time DESC LIMIT 1) AS last_good_at,
            (SELECT e.time FROM work_order_events e
              WHERE e.work_order_id = o.work_order_id AND e.time <= $3
                AND e.operation_id = o.id AND e.kind = 'scan' AND e.detail->>'action' = 'start'
              ORDER BY e.time DESC LIMIT 1) AS last_start_at,
            (SELECT coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) FROM products p
               LEFT JOIN product_machine_cycles pmc ON pmc.product_id = p.id AND pmc.machine_id = o.machine_id
              WHERE p.id = w.product_id) AS ideal_cycle_ms
       FROM work_order_operations o
       JOIN work_orders w ON w.id = o.work_order_id
      WHERE o.work_order_id = ANY($1::text[])`,
    [orderIds, ...rateWindowCuts(now - RATE_WINDOW_MS, now).map((ms) => new Date(ms))],
  );
  const out = new Map<string, Map<string, OperationActivity>>();
  for (const r of rows) {
    const ops = out.get(r.work_order_id) ?? new Map<string, OperationActivity>();
    out.set(r.work_order_id, ops);
    ops.set(r.id, {
      recentGood: Number(r.recent_good),
      lastGoodAt: msOf(r.last_good_at),
      lastStartAt: msOf(r.last_start_at),
      idealCycleMs: r.ideal_cycle_ms === null ? null : Number(r.ideal_cycle_ms),
    });
  }
  return out;
}

/**
 * The figures of one order at `now` — the one reading every screen and the stall / late
 * alerts use (domain/order-figures.ts), with the current plan's ETA (planning/planned.ts);
 * alerts pass their rule's stall window.
 */
export async function orderFiguresAt(
  pool: Pool,
  record: OrderRecord,
  now: number,
  stallAfterMs = STALL_AFTER_MS,
): Promise<OrderFigures> {
  const ids = [record.order.id];
  return orderFigures({
    order: record.order,
    planned: (await plannedOf(pool, ids)).get(record.order.id),
    createdAt: Date.parse(record.createdAt),
    activity:
      (await operationActivity(pool, [record.order.id], now)).get(record.order.id) ?? new Map(),
    now,
    rateWindowMs: RATE_WINDOW_MS,
    stallAfterMs,
  });
}

/** Cancelled, or held (a cancel outranks a hold); undefined when neither. */
const stoppedStatus = (record: OrderRecord) =>
  record.cancelled ? ('cancelled' as const) : record.held ? ('held' as const) : undefined;

/** An order as the API shows it: progress, ETA, risk, stall, health, operations. */
export async function orderView(pool: Pool, record: OrderRecord, now = Date.now()) {
  return viewOf(record, await orderFiguresAt(pool, record, now));
}

function viewOf(record: OrderRecord, figures: OrderFigures) {
  const { order } = record;
  const current =
    order.operations.find((o) => o.status === 'running') ??
    order.operations.find((o) => o.status === 'paused') ??
    order.operations.find((o) => o.status === 'pending') ??
    null;
  return {
    id: order.id,
    product: record.product,
    customer: record.customer,
    priority: record.priority,
    quantity: order.quantity,
    createdAt: record.createdAt,
    dueAt: iso(order.dueAt),
    // A person's hold or cancel outranks what the scans say; neither promises an ETA, and a
    // cancelled order is at no risk of being late (docs/decisions.md, "Issue 20 — order
    // changes and their trail").
    status: stoppedStatus(record) ?? figures.status,
    good: figures.good,
    rejected: figures.rejected,
    progress: figures.progress,
    eta: stoppedStatus(record) ? null : iso(figures.eta),
    // The plan's promise and band (docs/decisions.md "Issue 21 — the plan in ingest, the
    // single ETA"); null while the plan has not placed the order, or once it is stopped.
    promisedAt: stoppedStatus(record) || figures.etaSource !== 'plan' ? null : iso(figures.eta),
    p10: stoppedStatus(record) ? null : iso(figures.p10),
    p90: stoppedStatus(record) ? null : iso(figures.p90),
    lateRisk: record.cancelled ? false : figures.lateRisk,
    stalled: stoppedStatus(record) ? false : figures.stalled,
    /** The operation the order is at: running, else paused, else the next pending one. */
    currentOperation: current
      ? { id: current.id, machine: current.machine, status: current.status }
      : null,
    health: figures.health,
    held: record.held,
    cancelled: record.cancelled,
    splitFrom: record.splitFrom,
    operations: figures.operations.map((o) => ({
      id: o.id,
      machine: o.machine,
      status: o.status,
      good: o.good,
      rejected: o.rejected,
      progress: o.progress,
      remaining: o.remaining,
      ratePerHour: o.ratePerHour,
      rateSource: o.rateSource,
      eta: stoppedStatus(record) ? null : iso(o.eta),
      startedAt: iso(o.startedAt),
      completedAt: iso(o.completedAt),
    })),
  };
}

export interface OrderFilter {
  status?: OrderStatus | 'held' | 'cancelled' | undefined;
  customer?: string | undefined;
  limit: number;
}

/**
 * Orders newest first (open ones by default), each as `orderView`: the orders, their plan
 * and what counts and scans say of them read for the whole page at once, not order by order
 * (docs/decisions.md "Issue 22 — per-commit work").
 */
export async function listOrders(pool: Pool, filter: OrderFilter, now = Date.now()) {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM work_orders WHERE ($1::text IS NULL OR customer = $1)
      ORDER BY created_at DESC, id LIMIT 2000`,
    [filter.customer ?? null],
  );
  const byId = new Map(
    (
      await loadOrders(
        pool,
        rows.map((r) => r.id),
      )
    ).map((r) => [r.order.id, r]),
  );
  const records: OrderRecord[] = [];
  for (const { id } of rows) {
    const record = byId.get(id);
    if (!record) continue;
    const status = stoppedStatus(record) ?? orderStatus(record.order);
    // Open orders by default: neither completed nor cancelled (held ones stay in view).
    if (filter.status ? status !== filter.status : status === 'completed' || status === 'cancelled')
      continue;
    records.push(record);
    if (records.length >= filter.limit) break;
  }
  const ids = records.map((r) => r.order.id);
  const [planned, activity] = await Promise.all([
    plannedOf(pool, ids),
    operationActivity(pool, ids, now),
  ]);
  return records.map((record) =>
    viewOf(
      record,
      orderFigures({
        order: record.order,
        planned: planned.get(record.order.id),
        createdAt: Date.parse(record.createdAt),
        activity: activity.get(record.order.id) ?? new Map(),
        now,
        rateWindowMs: RATE_WINDOW_MS,
        stallAfterMs: STALL_AFTER_MS,
      }),
    ),
  );
}

/**
 * OEE of one work order: for each operation, the machine's time while that operation ran
 * (start to pause or complete) and the pieces counted for the order there.
 */
export async function orderOee(pool: Pool, record: OrderRecord, now = Date.now()) {
  const runs = operationRuns(
    (await scansOf(pool, [record.order.id])).get(record.order.id) ?? [],
    now,
  );
  const inputs: OeeInput[] = [];
  const operations = [];
  for (const op of record.order.operations) {
    const [machine] = await machinesOf(pool, { machine: op.machine });
    const opInputs: OeeInput[] = [];
    for (const run of runs.get(op.id) ?? []) {
      if (!machine) break;
      const w = await machineWindow(pool, machine, run.from, run.to);
      const time = accountTime(w.states, w.busy, machine.microstop_threshold_ms, w.setup);
      const counts = await pool.query<{ good: string; rejected: string; ideal: number | null }>(
        `SELECT coalesce(sum(e.good), 0) AS good, coalesce(sum(e.rejected), 0) AS rejected,
                (SELECT coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) FROM work_orders w
                   LEFT JOIN products p ON p.id = w.product_id
                   LEFT JOIN product_machine_cycles pmc ON pmc.product_id = w.product_id AND pmc.machine_id = $3
                  WHERE w.id = $1) AS ideal
           FROM work_order_events e
          WHERE e.work_order_id = $1 AND e.operation_id = $2 AND e.kind = 'count' AND e.time >= $4 AND e.time < $5`,
        [record.order.id, op.id, op.machine, new Date(run.from), new Date(run.to)],
      );
      const c = counts.rows[0]!;
      opInputs.push({
        calendarMs: run.to - run.from,
        plannedBusyMs: time.plannedBusyMs,
        runMs: time.runMs,
        products: [
          {
            idealCycleMs: c.ideal,
            good: Number(c.good),
            total: Number(c.good) + Number(c.rejected),
          },
        ],
      });
    }
    inputs.push(...opInputs);
    operations.push({
      id: op.id,
      machine: op.machine,
      runs: (runs.get(op.id) ?? []).map((r) => ({ from: iso(r.from), to: iso(r.to) })),
      ...computeOee(combineOeeInputs(opInputs)),
    });
  }
  return { id: record.order.id, ...computeOee(combineOeeInputs(inputs)), operations };
}

/**
 * Delivery and shop-floor KPIs over [from, to): orders completed in the window (on-time
 * rate, lead time and its CV), scrap rate of the pieces counted for orders, and good pieces
 * per operator-hour (operators badged on start scans).
 */
export async function kpis(pool: Pool, from: number, to: number, customer?: string) {
  const done = await pool.query<{ created_at: Date; due_at: Date | null; completed_at: Date }>(
    `SELECT w.created_at, w.due_at, max(o.completed_at) AS completed_at
       FROM work_orders w JOIN work_order_operations o ON o.work_order_id = w.id
      WHERE ($3::text IS NULL OR w.customer = $3)
      GROUP BY w.id
     HAVING bool_and(o.status = 'done') AND max(o.completed_at) >= $1 AND max(o.completed_at) < $2`,
    [new Date(from), new Date(to), customer ?? null],
  );
  const delivery = deliveryKpis(
    done.rows.map((r) => ({
      createdAt: r.created_at.getTime(),
      completedAt: r.completed_at.getTime(),
      dueAt: r.due_at?.getTime() ?? null,
    })),
  );
  const pieces = await pool.query<{ good: string; rejected: string }>(
    `SELECT coalesce(sum(e.good), 0) AS good, coalesce(sum(e.rejected), 0) AS rejected
       FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
      WHERE e.kind = 'count' AND e.time >= $1 AND e.time < $2 AND ($3::text IS NULL OR w.customer = $3)`,
    [new Date(from), new Date(to), customer ?? null],
  );
  const good = Number(pieces.rows[0]!.good);
  const rejected = Number(pieces.rows[0]!.rejected);
  // Orders with scans up to the window's end: operators may have started before it.
  const active = await pool.query<{ id: string }>(
    `SELECT DISTINCT e.work_order_id AS id FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
      WHERE e.kind = 'scan' AND e.time < $1 AND ($2::text IS NULL OR w.customer = $2)`,
    [new Date(to), customer ?? null],
  );
  // Operation ids repeat across orders (OP10): key each by its order.
  const scans = [
    ...(
      await scansOf(
        pool,
        active.rows.map((r) => r.id),
      )
    ).entries(),
  ].flatMap(([order, list]) => list.map((s) => ({ ...s, operation: `${order}/${s.operation}` })));
  const hours = [...operatorHours(scans, from, to).values()].reduce((s, h) => s + h, 0);
  return {
    ...delivery,
    good,
    rejected,
    scrapRate: good + rejected > 0 ? rejected / (good + rejected) : null,
    operatorHours: hours,
    outputPerOperatorHour: hours > 0 ? good / hours : null,
  };
}
