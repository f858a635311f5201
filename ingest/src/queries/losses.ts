import type { Pool } from 'pg';
import {
  downtimePareto,
  mergeDowntime,
  outputPerHour,
  sumHours,
  type DowntimeEntry,
  type HourOutput,
} from '../domain/losses';
import { operationRuns, type ScanRecord } from '../domain/order-kpis';
import { groupBy } from '../pipeline/write-series';
import { machineWindows } from './machine-windows';
import { countsByHour } from './count-sums';
import { machinesOf, type Scope } from './oee';

export interface MachineOutput {
  machine: string;
  hours: HourOutput[];
}

/** Downtime by reason over machines (one, or a line's), longest first. */
export async function downtimeReport(
  pool: Pool,
  scope: Scope,
  from: number,
  to: number,
): Promise<DowntimeEntry[] | undefined> {
  const machines = await machinesOf(pool, scope);
  if (machines.length === 0) return undefined;
  const windows = await machineWindows(
    pool,
    machines.map((machine) => ({ machine, from, to })),
  );
  const all: DowntimeEntry[] = machines.flatMap((m, i) =>
    downtimePareto(windows[i]!.states, windows[i]!.busy, m.microstop_threshold_ms),
  );
  return mergeDowntime(all);
}

/**
 * When work orders' operations ran on each machine over [from, to) (start to pause or
 * complete, one still open runs to `to`), each with its product's ideal cycle on that machine.
 */
async function orderRuns(pool: Pool, machineIds: readonly string[], from: number, to: number) {
  const { rows } = await pool.query<{
    machine_id: string;
    key: string;
    time: Date;
    action: ScanRecord['action'];
    ideal_cycle_ms: number | null;
  }>(
    `SELECT o.machine_id, e.work_order_id || '/' || e.operation_id AS key, e.time,
            e.detail->>'action' AS action, coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) AS ideal_cycle_ms
       FROM work_order_events e
       JOIN work_order_operations o ON o.work_order_id = e.work_order_id AND o.id = e.operation_id
       JOIN work_orders w ON w.id = e.work_order_id
       LEFT JOIN products p ON p.id = w.product_id
       LEFT JOIN product_machine_cycles pmc ON pmc.product_id = w.product_id AND pmc.machine_id = o.machine_id
      WHERE o.machine_id = ANY($1::text[]) AND e.kind = 'scan' AND e.detail->>'action' IN ('start', 'pause', 'complete')
        AND e.time < $3 AND (o.completed_at IS NULL OR o.completed_at >= $2)
      ORDER BY e.time, e.id`,
    [machineIds, new Date(from), new Date(to)],
  );
  const byMachine = groupBy(rows, (r) => r.machine_id);
  return new Map(
    machineIds.map((id) => {
      const mine = byMachine.get(id) ?? [];
      const ideal = new Map(mine.map((r) => [r.key, r.ideal_cycle_ms]));
      const scans = mine.map((r) => ({ ts: r.time.getTime(), operation: r.key, action: r.action }));
      const runs = [...operationRuns(scans, to)].flatMap(([key, list]) =>
        list.map((run) => ({ ...run, idealCycleMs: ideal.get(key) ?? null })),
      );
      return [id, runs];
    }),
  );
}

/**
 * Good pieces per hour of a machine beside the target the ideal cycle allows: of the product
 * of the order that ran in that hour (pro rata), else the machine's default product. For a
 * line, each machine's hours and the line's summed; all machines in a fixed number of
 * queries (docs/decisions.md "Issue 22 — the third pass").
 */
export async function outputReport(
  pool: Pool,
  scope: Scope,
  from: number,
  to: number,
): Promise<{ hours: HourOutput[]; machines: MachineOutput[] } | undefined> {
  const machines = await machinesOf(pool, scope);
  if (machines.length === 0) return undefined;
  const windows = await machineWindows(
    pool,
    machines.map((machine) => ({ machine, from, to })),
  );
  const good = await countsByHour(
    pool,
    machines.map((m) => ({ machine: m.id, from, to })),
  );
  const runs = await orderRuns(
    pool,
    machines.map((m) => m.id),
    from,
    to,
  );
  const each = machines.map((m, i) => ({
    machine: m.id,
    hours: outputPerHour(from, to, windows[i]!.busy, good[i]!, m.ideal_cycle_ms, runs.get(m.id)),
  }));
  return { hours: sumHours(each.map((e) => e.hours)), machines: each };
}
