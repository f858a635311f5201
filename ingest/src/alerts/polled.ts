import type { AlertRule, ShiftConfig } from '@takt/protocol';
import type { Pool } from 'pg';
import { isStalled, orderProgress } from '../domain/work-orders';
import { oeeReport } from '../queries/oee';
import { loadOrder } from '../work-orders/store';
import type { AlertEffect } from './engine';
import type { AlertWatcher } from './stream';
import { shiftWindowAt } from './windows';

type RuleOf<K extends AlertRule['kind']> = Extract<AlertRule, { kind: K }>;

/** Work orders not finished, with the time of their last good piece and the recent rate. */
async function openOrders(pool: Pool, now: number) {
  const { rows } = await pool.query<{ id: string; last_good: Date | null; recent: string }>(
    `SELECT o.id,
            (SELECT max(e.time) FROM work_order_events e
              WHERE e.work_order_id = o.id AND e.kind = 'count' AND e.good > 0) AS last_good,
            (SELECT coalesce(sum(e.good), 0) FROM work_order_events e
              WHERE e.work_order_id = o.id AND e.kind = 'count' AND e.time > $1) AS recent
       FROM work_orders o
      WHERE EXISTS (SELECT 1 FROM work_order_operations p WHERE p.work_order_id = o.id AND p.status <> 'done')`,
    [new Date(now - 3_600_000)],
  );
  const orders = [];
  for (const row of rows) {
    const record = await loadOrder(pool, row.id);
    if (record)
      orders.push({ order: record.order, lastGood: row.last_good, recent: Number(row.recent) });
  }
  return orders;
}

/** Stalled and late-risk work orders, judged at `now` (ingest's clock, which tests set). */
export async function pollWorkOrders(
  pool: Pool,
  watcher: AlertWatcher,
  now: number,
): Promise<AlertEffect[]> {
  const rules = watcher.engine.ruleList.filter(
    (r): r is RuleOf<'work-order-stalled'> | RuleOf<'work-order-late'> =>
      r.kind === 'work-order-stalled' || r.kind === 'work-order-late',
  );
  if (rules.length === 0) return [];
  const orders = await openOrders(pool, now);
  const effects: AlertEffect[] = [];
  const seen = new Set(orders.map((o) => o.order.id));
  for (const rule of rules) {
    for (const { order, lastGood, recent } of orders) {
      let active: boolean;
      let message: string;
      if (rule.kind === 'work-order-stalled') {
        active = isStalled(order, lastGood?.getTime() ?? null, now, rule.forH * 3_600_000);
        message = `work order ${order.id} ${active ? `has made no good piece for ${rule.forH} h` : 'is moving'}`;
      } else {
        const progress = orderProgress(order, now, recent);
        active = progress.lateRisk;
        const eta =
          progress.eta === null ? 'no ETA' : `ETA ${new Date(progress.eta).toISOString()}`;
        message = `work order ${order.id} ${active ? 'may miss' : 'is on time for'} its due date (${eta})`;
      }
      effects.push(
        ...watcher.engine.signal({
          rule: rule.id,
          subject: order.id,
          signal: active ? 'active' : 'clear',
          at: now,
          message,
        }),
      );
    }
    // Orders finished (or gone) since: their alerts clear.
    for (const alert of watcher.engine.open())
      if (alert.rule === rule.id && !seen.has(alert.subject))
        effects.push(
          ...watcher.engine.signal({
            rule: rule.id,
            subject: alert.subject,
            signal: 'clear',
            at: now,
          }),
        );
  }
  return effects;
}

/** OEE (or one factor) of each machine over the current shift or a rolling window. */
export async function pollOee(
  pool: Pool,
  watcher: AlertWatcher,
  shifts: readonly ShiftConfig[],
  timeZone: string,
  now: number,
): Promise<AlertEffect[]> {
  const effects: AlertEffect[] = [];
  for (const rule of watcher.engine.ruleList) {
    if (rule.kind !== 'oee-below') continue;
    let window: { key: string; from: number } | undefined;
    if (rule.window === 'shift') window = shiftWindowAt(shifts, now, timeZone);
    else window = { key: 'rolling', from: now - rule.window.rollingMin * 60_000 };
    for (const machine of rule.machines) {
      if (!window) {
        // Outside every shift: nothing is planned, the last shift's alert ends.
        effects.push(...watcher.oee(rule, machine, 'no-shift', undefined, now));
        continue;
      }
      // Time before the machine ever reported is not judged (a new machine, a fresh install):
      // it would count as down and open an alert about data that never existed.
      const first = await pool.query<{ at: Date | null }>(
        'SELECT min(time) AS at FROM machine_states WHERE machine_id = $1',
        [machine],
      );
      const from = Math.max(window.from, first.rows[0]?.at?.getTime() ?? now);
      const report = from < now ? await oeeReport(pool, { machine }, from, now) : undefined;
      const figures = report && {
        oee: report.oee,
        availability: report.availability,
        performance: report.performance,
        quality: report.quality,
        plannedMs: report.plannedBusyMs,
      };
      effects.push(...watcher.oee(rule, machine, window.key, figures, now));
    }
  }
  return effects;
}
