import type { MachineState, ShiftConfig } from '@takt/protocol';
import type { Pool } from 'pg';
import { accountTime, stateIntervals, withStopReasons } from '../domain/machine-time';
import { combineOeeInputs, computeOee, type Oee, type OeeInput } from '../domain/oee';
import { plannedIntervals } from '../domain/shifts';

/**
 * A state holds this long after its last message; then the machine counts as unknown (no
 * data). The edge re-sends state every heartbeat (60 s by default): keep it well below this.
 */
export const STATE_STALE_AFTER_MS = 180_000;

export type Scope = { machine: string } | { line: string };

export interface MachineRow {
  id: string;
  site_id: string | null;
  time_zone: string;
  microstop_threshold_ms: number;
  ideal_cycle_ms: number | null;
}

export interface OeeReport extends Oee {
  downMs: number;
  microstopMs: number;
}

/** Times and counts of one machine over [from, to): states and counts from the database. */
/** What one machine did in [from, to): planned time, state intervals, counted pieces. */
export async function machineWindow(pool: Pool, machine: MachineRow, from: number, to: number) {
  const shifts = machine.site_id
    ? (
        await pool.query<{ definition: ShiftConfig }>(
          'SELECT definition FROM shifts WHERE site_id = $1',
          [machine.site_id],
        )
      ).rows.map((r) => r.definition)
    : [];
  // The state in force at `from` (the last change before it), then every change inside.
  const events = await pool.query<{ time: Date; state: MachineState; reason: string | null }>(
    `(SELECT time, state, reason FROM machine_states WHERE machine_id = $1 AND time < $2 ORDER BY time DESC LIMIT 1)
     UNION ALL
     (SELECT time, state, reason FROM machine_states WHERE machine_id = $1 AND time >= $2 AND time < $3 ORDER BY time)`,
    [machine.id, new Date(from), new Date(to)],
  );
  const counts = await pool.query<{ good: string; reject: string }>(
    'SELECT coalesce(sum(good), 0) AS good, coalesce(sum(reject), 0) AS reject FROM counts WHERE machine_id = $1 AND time >= $2 AND time < $3',
    [machine.id, new Date(from), new Date(to)],
  );
  const planned = plannedIntervals(shifts, from, to, machine.time_zone);
  const raw = stateIntervals(
    events.rows.map((e) => ({ ts: e.time.getTime(), state: e.state, reason: e.reason })),
    from,
    to,
    STATE_STALE_AFTER_MS,
  );
  const reasons = await pool.query<{ stop_start: Date; reason: string }>(
    "SELECT stop_start, reason FROM stop_reasons WHERE machine_id = $1 AND stop_start < $3 AND stop_start >= $2::timestamptz - interval '7 days'",
    [machine.id, new Date(from), new Date(to)],
  );
  const states = withStopReasons(
    raw,
    reasons.rows.map((r) => ({ stopStart: r.stop_start.getTime(), reason: r.reason })),
  );
  return {
    planned,
    states,
    good: Number(counts.rows[0]!.good),
    reject: Number(counts.rows[0]!.reject),
  };
}

async function machineInput(pool: Pool, machine: MachineRow, from: number, to: number) {
  const { planned, states, good, reject } = await machineWindow(pool, machine, from, to);
  const time = accountTime(states, planned, machine.microstop_threshold_ms);
  const total = good + reject;
  const input: OeeInput = {
    calendarMs: to - from,
    plannedBusyMs: time.plannedBusyMs,
    runMs: time.runMs,
    products: [{ idealCycleMs: machine.ideal_cycle_ms, total, good }],
  };
  return { input, downMs: time.downMs, microstopMs: time.microstopMs };
}

/** The machines of a scope (one machine, or a line's) with what OEE needs of each. */
export async function machinesOf(pool: Pool, scope: Scope): Promise<MachineRow[]> {
  const { rows } = await pool.query<MachineRow>(
    `SELECT m.id, m.site_id, coalesce(s.time_zone, 'UTC') AS time_zone, m.microstop_threshold_ms,
            coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) AS ideal_cycle_ms
       FROM machines m
       LEFT JOIN sites s ON s.id = m.site_id
       LEFT JOIN products p ON p.id = m.product_id
       LEFT JOIN product_machine_cycles pmc ON pmc.product_id = m.product_id AND pmc.machine_id = m.id
      WHERE ${'machine' in scope ? 'm.id' : 'm.line_id'} = $1
      ORDER BY m.id`,
    ['machine' in scope ? scope.machine : scope.line],
  );
  return rows;
}

/** OEE of machines (one, or a line's) over [from, to): summed, then divided. */
export async function oeeReport(
  pool: Pool,
  scope: Scope,
  from: number,
  to: number,
): Promise<OeeReport | undefined> {
  const rows = await machinesOf(pool, scope);
  if (rows.length === 0) return undefined;
  const parts = await Promise.all(rows.map((m) => machineInput(pool, m, from, to)));
  return {
    ...computeOee(combineOeeInputs(parts.map((p) => p.input))),
    downMs: parts.reduce((s, p) => s + p.downMs, 0),
    microstopMs: parts.reduce((s, p) => s + p.microstopMs, 0),
  };
}
