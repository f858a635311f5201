import type { Pool } from 'pg';
import {
  downtimePareto,
  mergeDowntime,
  outputPerHour,
  type DowntimeEntry,
  type HourOutput,
} from '../domain/losses';
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

/** Good pieces per hour of one machine beside the target its ideal cycle time allows. */
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
  return outputPerHour(from, to, busy, goodByHour, machine.ideal_cycle_ms);
}
