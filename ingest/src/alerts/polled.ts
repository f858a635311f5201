import type { ShiftConfig } from '@takt/protocol';
import type { Pool } from 'pg';
import { machineOeeReports } from '../queries/oee';
import { plannedOf } from '../planning/planned';
import { operationActivity } from '../queries/orders';
import { loadOrders } from '../work-orders/store';
import type { AlertEffect } from './engine';
import { isOrderRule, judgeWorkOrders, oeeChecks, type OrderFacts } from './judges';
import type { AlertWatcher, OeeFigures } from './stream';

/*
 * The polled alert checks: a thin query layer that loads, in a few set-based queries, what
 * all rules of a poll need, then the pure judges (judges.ts) and the engine decide.
 */

/** Work orders not finished, with their operations' activity up to `now` and their plan: six queries. */
async function openOrders(pool: Pool, now: number): Promise<OrderFacts[]> {
  const { rows } = await pool.query<{ id: string }>(
    // Held and cancelled orders raise no stall or late-risk alert (docs/decisions.md,
    // "Issue 20 — order changes and their trail").
    `SELECT o.id FROM work_orders o
      WHERE o.cancelled_at IS NULL AND o.held_at IS NULL
        AND EXISTS (SELECT 1 FROM work_order_operations p WHERE p.work_order_id = o.id AND p.status <> 'done')`,
  );
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return [];
  const records = await loadOrders(pool, ids);
  const activity = await operationActivity(pool, ids, now);
  const planned = await plannedOf(pool, ids);
  return records.map((r) => ({
    order: r.order,
    createdAt: r.createdAt,
    activity: activity.get(r.order.id) ?? new Map(),
    planned: planned.get(r.order.id),
  }));
}

/**
 * Stalled and late-risk work orders, judged at `now` (ingest's clock, which tests set) with
 * the same figures as the screens (domain/order-figures.ts).
 */
export async function pollWorkOrders(
  pool: Pool,
  watcher: AlertWatcher,
  now: number,
): Promise<AlertEffect[]> {
  const rules = watcher.engine.ruleList.filter(isOrderRule);
  if (rules.length === 0) return [];
  const orders = await openOrders(pool, now);
  const signals = judgeWorkOrders(rules, orders, watcher.engine.open(), now);
  return signals.flatMap((s) => watcher.engine.signal(s));
}

/** Each machine's first state change, the start of the time its OEE is judged over. */
async function firstStates(pool: Pool, machines: readonly string[]) {
  const { rows } = await pool.query<{ machine_id: string; at: Date }>(
    'SELECT machine_id, min(time) AS at FROM machine_states WHERE machine_id = ANY($1::text[]) GROUP BY machine_id',
    [machines],
  );
  return new Map(rows.map((r) => [r.machine_id, r.at.getTime()]));
}

/** OEE (or one factor) of each machine over the current shift or a rolling window. */
export async function pollOee(
  pool: Pool,
  watcher: AlertWatcher,
  shifts: readonly ShiftConfig[],
  timeZone: string,
  now: number,
): Promise<AlertEffect[]> {
  const rules = watcher.engine.ruleList;
  const machines = [...new Set(rules.flatMap((r) => (r.kind === 'oee-below' ? r.machines : [])))];
  if (machines.length === 0) return [];
  const checks = oeeChecks(rules, shifts, timeZone, await firstStates(pool, machines), now);
  const measured = checks.filter((c) => c.from !== undefined);
  const reports = await machineOeeReports(
    pool,
    measured.map((c) => ({ machine: c.machine, from: c.from!, to: now })),
  );
  const figuresOf = new Map(
    measured.map((c, i): [typeof c, OeeFigures | undefined] => {
      const report = reports[i];
      return [
        c,
        report && {
          oee: report.oee,
          availability: report.availability,
          performance: report.performance,
          quality: report.quality,
          plannedMs: report.plannedBusyMs,
        },
      ];
    }),
  );
  return checks.flatMap((c) => watcher.oee(c.rule, c.machine, c.window, figuresOf.get(c), now));
}
