import type { AlertRule, ShiftConfig } from '@takt/protocol';
import type { Pool } from 'pg';
import { oeeReport } from '../queries/oee';
import { orderFiguresAt } from '../queries/orders';
import { loadOrder, type OrderRecord } from '../work-orders/store';
import type { AlertEffect } from './engine';
import type { AlertWatcher } from './stream';
import { shiftWindowAt } from './windows';

type RuleOf<K extends AlertRule['kind']> = Extract<AlertRule, { kind: K }>;

/** Work orders not finished. */
async function openOrders(pool: Pool) {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT o.id FROM work_orders o
      WHERE EXISTS (SELECT 1 FROM work_order_operations p WHERE p.work_order_id = o.id AND p.status <> 'done')`,
  );
  const records = [];
  for (const row of rows) {
    const record = await loadOrder(pool, row.id);
    if (record) records.push(record);
  }
  return records;
}

/** The alert signal of one rule for one order, from the figures every screen shows. */
async function orderSignal(
  pool: Pool,
  rule: RuleOf<'work-order-stalled'> | RuleOf<'work-order-late'>,
  record: OrderRecord,
  now: number,
) {
  const id = record.order.id;
  if (rule.kind === 'work-order-stalled') {
    const { stalled } = await orderFiguresAt(pool, record, now, rule.forH * 3_600_000);
    const message = `work order ${id} ${stalled ? `has made no good piece for ${rule.forH} h` : 'is moving'}`;
    return { active: stalled, message };
  }
  const { lateRisk, eta } = await orderFiguresAt(pool, record, now);
  const when = eta === null ? 'no ETA' : `ETA ${new Date(eta).toISOString()}`;
  const message = `work order ${id} ${lateRisk ? 'may miss' : 'is on time for'} its due date (${when})`;
  return { active: lateRisk, message };
}

/**
 * Stalled and late-risk work orders, judged at `now` (ingest's clock, which tests set) with
 * the same figures as the screens (queries/orders.ts orderFiguresAt).
 */
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
  const records = await openOrders(pool);
  const effects: AlertEffect[] = [];
  const seen = new Set(records.map((r) => r.order.id));
  for (const rule of rules) {
    for (const record of records) {
      const { active, message } = await orderSignal(pool, rule, record, now);
      effects.push(
        ...watcher.engine.signal({
          rule: rule.id,
          subject: record.order.id,
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
