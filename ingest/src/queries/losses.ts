import type { Pool } from 'pg';
import {
  downtimePareto,
  mergeDowntime,
  outputPerHour,
  type DowntimeEntry,
  type HourOutput,
} from '../domain/losses';
import { operationRuns, type ScanRecord } from '../domain/order-kpis';
import { machinesOf, machineWindow, type Scope } from './oee';

/** Downtime by reason over machines (one, or a line's), longest first. */
export async function downtimeReport(
  pool: Pool,
  scope: Scope,
  from: number,
  to: number,
): Promise<DowntimeEntry[] | undefined> {
  const machines = await machinesOf(pool, scope);
  if (machines.length === 0) return undefined;
  const all: DowntimeEntry[] = [];
  for (const m of machines) {
    const { busy, states } = await machineWindow(pool, m, from, to);
    all.push(...downtimePareto(states, busy, m.microstop_threshold_ms));
  }
  return mergeDowntime(all);
}

/**
 * When work orders' operations ran on a machine over [from, to) (start to pause or complete,
 * one still open runs to `to`), each with its product's ideal cycle on that machine.
 */
async function orderRuns(pool: Pool, machineId: string, from: number, to: number) {
  const { rows } = await pool.query<{
    key: string;
    time: Date;
    action: ScanRecord['action'];
    ideal_cycle_ms: number | null;
  }>(
    `SELECT e.work_order_id || '/' || e.operation_id AS key, e.time, e.detail->>'action' AS action,
            coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) AS ideal_cycle_ms
       FROM work_order_events e
       JOIN work_order_operations o ON o.work_order_id = e.work_order_id AND o.id = e.operation_id
       JOIN work_orders w ON w.id = e.work_order_id
       LEFT JOIN products p ON p.id = w.product_id
       LEFT JOIN product_machine_cycles pmc ON pmc.product_id = w.product_id AND pmc.machine_id = o.machine_id
      WHERE o.machine_id = $1 AND e.kind = 'scan' AND e.detail->>'action' IN ('start', 'pause', 'complete')
        AND e.time < $3 AND (o.completed_at IS NULL OR o.completed_at >= $2)
      ORDER BY e.time, e.id`,
    [machineId, new Date(from), new Date(to)],
  );
  const ideal = new Map(rows.map((r) => [r.key, r.ideal_cycle_ms]));
  const scans = rows.map((r) => ({ ts: r.time.getTime(), operation: r.key, action: r.action }));
  return [...operationRuns(scans, to)].flatMap(([key, runs]) =>
    runs.map((run) => ({ ...run, idealCycleMs: ideal.get(key) ?? null })),
  );
}

/**
 * Good pieces per hour of one machine beside the target the ideal cycle allows: of the
 * product of the order that ran in that hour (pro rata), else the machine's default product.
 */
export async function outputReport(
  pool: Pool,
  machineId: string,
  from: number,
  to: number,
): Promise<HourOutput[] | undefined> {
  const [machine] = await machinesOf(pool, { machine: machineId });
  if (!machine) return undefined;
  const { busy } = await machineWindow(pool, machine, from, to);
  const { rows } = await pool.query<{ hour: Date; good: string }>(
    `SELECT date_trunc('hour', time) AS hour, sum(good) AS good FROM counts
      WHERE machine_id = $1 AND time >= $2 AND time < $3 GROUP BY 1`,
    [machineId, new Date(from), new Date(to)],
  );
  const goodByHour = new Map(rows.map((r) => [r.hour.getTime(), Number(r.good)]));
  const runs = await orderRuns(pool, machineId, from, to);
  return outputPerHour(from, to, busy, goodByHour, machine.ideal_cycle_ms, runs);
}
