import type { MachineMode, MachineState, PlantModel, ReasonNode } from '@takt/protocol';
import type { Pool } from 'pg';
import { intersect, measure, type Interval } from '../domain/intervals';
import {
  accountTime,
  splitMonitored,
  stateIntervals,
  stateStaleAfterMs,
  withStopReasons,
} from '../domain/machine-time';
import {
  busyIntervals,
  modeIntervals,
  modeTime,
  modeTotals,
  startupIntervals,
  type ModeEvent,
} from '../domain/modes';
import {
  addLosses,
  combineOeeInputs,
  computeOee,
  sixBigLosses,
  type Oee,
  type OeeInput,
  type SixBigLosses,
} from '../domain/oee';
import { shiftOccurrences } from '../domain/shifts';
import { loadPlantModel } from '../plant';
import { firstDataAt } from './first-data';

export type Scope = { machine: string } | { line: string };

export interface MachineRow {
  id: string;
  site_id: string | null;
  time_zone: string;
  microstop_threshold_ms: number;
  order_driven: boolean;
  /** The machine's default product's ideal cycle on it (pieces no work order claims). */
  ideal_cycle_ms: number | null;
  /** Its first data ever stored; time before it is not monitored. */
  first_data_at: Date | null;
  /** The heartbeat its gateway declared in its status, if it did. */
  heartbeat_ms: number | null;
}

export interface OeeReport extends Oee {
  downMs: number;
  microstopMs: number;
  setupMs: number;
  /** Time that would have been planned busy time but came before the machine's first data. */
  notMonitoredMs: number;
  losses: SixBigLosses | null;
  /** Time per mode in the window (production, changeover, no_shift, …). */
  modes: Partial<Record<MachineMode, number>>;
}

const DEFAULT_MODES = {
  planned: ['cleaning', 'planned_maintenance', 'no_order'],
  startupMinutes: 15,
};

/** Reason codes the plant's tree files under setup losses (a node and all below it). */
export function setupReasons(plant: PlantModel | null): Set<string> {
  const out = new Set<string>();
  const walk = (nodes: readonly ReasonNode[], inherited: boolean) => {
    for (const n of nodes) {
      const setup = n.loss === 'setup' || (inherited && n.loss !== 'breakdown');
      if (setup) out.add(n.id);
      walk(n.children ?? [], setup);
    }
  };
  walk(plant?.reasons?.downtime ?? [], false);
  return out;
}

/** The mode events of a machine: the one in force at `from`, then every one inside. */
async function modeEvents(pool: Pool, machineId: string, from: number, to: number) {
  const { rows } = await pool.query<{ time: Date; mode: ModeEvent['mode'] }>(
    `(SELECT time, mode FROM machine_modes WHERE machine_id = $1 AND time < $2 ORDER BY time DESC, id DESC LIMIT 1)
     UNION ALL
     (SELECT time, mode FROM machine_modes WHERE machine_id = $1 AND time >= $2 AND time < $3 ORDER BY time, id)`,
    [machineId, new Date(from), new Date(to)],
  );
  return rows.map((r) => ({ ts: Math.max(r.time.getTime(), from), mode: r.mode }));
}

const sqlRanges = (intervals: readonly Interval[]) => [
  intervals.map((i) => new Date(i.from)),
  intervals.map((i) => new Date(i.to)),
];

/**
 * Pieces made in [from, to), per product: counts claimed by work orders go to the order's
 * product (its ideal cycle on this machine), the rest to the machine's default product.
 * `startupRejects`: rejects counted inside `startup` (during and just after changeovers).
 */
async function productCounts(
  pool: Pool,
  machine: MachineRow,
  from: number,
  to: number,
  startup: readonly Interval[],
) {
  const [starts, ends] = sqlRanges(startup);
  const inStartup = (column: string) =>
    `EXISTS (SELECT 1 FROM unnest($4::timestamptz[], $5::timestamptz[]) AS s(f, t) WHERE ${column} >= s.f AND ${column} < s.t)`;
  const all = await pool.query<{ good: string; reject: string; startup: string }>(
    `SELECT coalesce(sum(good), 0) AS good, coalesce(sum(reject), 0) AS reject,
            coalesce(sum(reject) FILTER (WHERE ${inStartup('time')}), 0) AS startup
       FROM counts WHERE machine_id = $1 AND time >= $2 AND time < $3`,
    [machine.id, new Date(from), new Date(to), starts, ends],
  );
  const claimed = await pool.query<{
    ideal_cycle_ms: number | null;
    good: string;
    reject: string;
    startup: string;
  }>(
    `SELECT coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) AS ideal_cycle_ms,
            sum(e.good) AS good, sum(e.rejected) AS reject,
            coalesce(sum(e.rejected) FILTER (WHERE ${inStartup('e.time')}), 0) AS startup
       FROM work_order_events e
       JOIN work_orders w ON w.id = e.work_order_id
       LEFT JOIN products p ON p.id = w.product_id
       LEFT JOIN product_machine_cycles pmc ON pmc.product_id = w.product_id AND pmc.machine_id = $1
      WHERE e.kind = 'count' AND e.detail IS NULL AND e.machine_id = $1 AND e.time >= $2 AND e.time < $3
      GROUP BY 1`,
    [machine.id, new Date(from), new Date(to), starts, ends],
  );
  const products = claimed.rows.map((r) => ({
    idealCycleMs: r.ideal_cycle_ms,
    good: Number(r.good),
    total: Number(r.good) + Number(r.reject),
    startupRejects: Number(r.startup),
  }));
  const rest = all.rows[0]!;
  const sum = (f: (p: (typeof products)[number]) => number) =>
    products.reduce((s, p) => s + f(p), 0);
  const good = Number(rest.good) - sum((p) => p.good);
  const reject = Number(rest.reject) - sum((p) => p.total - p.good);
  products.push({
    idealCycleMs: machine.ideal_cycle_ms,
    good,
    total: good + reject,
    startupRejects: Number(rest.startup) - sum((p) => p.startupRejects),
  });
  return products;
}

/**
 * What one machine did in [from, to): its modes (calendar, mode cards, work orders), planned
 * busy time, state intervals with reasons given afterwards, and pieces per product.
 */
export async function machineWindow(pool: Pool, machine: MachineRow, from: number, to: number) {
  const plant = await loadPlantModel(pool, machine.site_id);
  const modeRules = plant?.modes ?? DEFAULT_MODES;
  const shifts = plant?.shifts ?? [];
  const occurrences =
    shifts.length > 0
      ? shiftOccurrences(shifts, from, to, machine.time_zone, plant?.holidays ?? [])
      : null;
  const modes = modeIntervals(
    await modeEvents(pool, machine.id, from, to),
    occurrences,
    from,
    to,
    machine.order_driven ? 'no_order' : 'production',
  );
  const { busy, notMonitored } = splitMonitored(
    busyIntervals(modes, modeRules.planned as MachineMode[]),
    await firstDataAt(pool, machine.id, machine.first_data_at),
  );
  // The state in force at `from` (the last change before it), then every change inside.
  const events = await pool.query<{ time: Date; state: MachineState; reason: string | null }>(
    `(SELECT time, state, reason FROM machine_states WHERE machine_id = $1 AND time < $2 ORDER BY time DESC LIMIT 1)
     UNION ALL
     (SELECT time, state, reason FROM machine_states WHERE machine_id = $1 AND time >= $2 AND time < $3 ORDER BY time)`,
    [machine.id, new Date(from), new Date(to)],
  );
  const raw = stateIntervals(
    events.rows.map((e) => ({ ts: e.time.getTime(), state: e.state, reason: e.reason })),
    from,
    to,
    stateStaleAfterMs(machine.heartbeat_ms),
  );
  const reasons = await pool.query<{ stop_start: Date; reason: string }>(
    "SELECT stop_start, reason FROM stop_reasons WHERE machine_id = $1 AND stop_start < $3 AND stop_start >= $2::timestamptz - interval '31 days'",
    [machine.id, new Date(from), new Date(to)],
  );
  const states = withStopReasons(
    raw,
    reasons.rows.map((r) => ({ stopStart: r.stop_start.getTime(), reason: r.reason })),
  );
  const startup = startupIntervals(modes, modeRules.startupMinutes * 60_000);
  return {
    plant,
    modes,
    busy,
    notMonitored,
    states,
    setup: {
      changeovers: intersect(modeTime(modes, 'changeover'), busy),
      reasons: setupReasons(plant),
    },
    products: await productCounts(pool, machine, from, to, startup),
  };
}

async function machineInput(pool: Pool, machine: MachineRow, from: number, to: number) {
  const { busy, notMonitored, states, setup, products, modes } = await machineWindow(
    pool,
    machine,
    from,
    to,
  );
  const time = accountTime(states, busy, machine.microstop_threshold_ms, setup);
  const input: OeeInput = {
    calendarMs: to - from,
    plannedBusyMs: time.plannedBusyMs,
    runMs: time.runMs,
    products,
  };
  return {
    input,
    time,
    notMonitoredMs: measure(notMonitored),
    losses: sixBigLosses({ ...time, products }),
    modes: modeTotals(modes),
  };
}

/** The machines of a scope (one machine, or a line's) with what OEE needs of each. */
export async function machinesOf(pool: Pool, scope: Scope): Promise<MachineRow[]> {
  const { rows } = await pool.query<MachineRow>(
    `SELECT m.id, m.site_id, coalesce(s.time_zone, 'UTC') AS time_zone, m.microstop_threshold_ms, m.order_driven,
            coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) AS ideal_cycle_ms,
            m.first_data_at, g.heartbeat_ms
       FROM machines m
       LEFT JOIN gateways g ON g.id = m.gateway_id
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
  return combineParts(parts);
}

type Part = Awaited<ReturnType<typeof machineInput>>;

function combineParts(parts: readonly Part[]): OeeReport {
  const modes: Partial<Record<MachineMode, number>> = {};
  for (const p of parts)
    for (const [mode, ms] of Object.entries(p.modes) as [MachineMode, number][])
      modes[mode] = (modes[mode] ?? 0) + ms;
  return {
    ...computeOee(combineOeeInputs(parts.map((p) => p.input))),
    downMs: parts.reduce((s, p) => s + p.time.downMs, 0),
    microstopMs: parts.reduce((s, p) => s + p.time.microstopMs, 0),
    setupMs: parts.reduce((s, p) => s + p.time.setupMs, 0),
    notMonitoredMs: parts.reduce((s, p) => s + p.notMonitoredMs, 0),
    losses: addLosses(parts.map((p) => p.losses)),
    modes,
  };
}

/**
 * OEE per shift worked in [from, to) (each occurrence of each shift, in the plant's
 * calendar), for machines of one site. Null when the scope has no machines.
 */
export async function shiftReport(pool: Pool, scope: Scope, from: number, to: number) {
  const rows = await machinesOf(pool, scope);
  if (rows.length === 0) return undefined;
  const plant = await loadPlantModel(pool, rows[0]!.site_id);
  const occurrences = shiftOccurrences(
    plant?.shifts ?? [],
    from,
    to,
    rows[0]!.time_zone,
    plant?.holidays ?? [],
  );
  const out = [];
  for (const o of occurrences) {
    const a = Math.max(o.from, from);
    const b = Math.min(o.to, to);
    const parts = await Promise.all(rows.map((m) => machineInput(pool, m, a, b)));
    out.push({
      shift: o.shift,
      name: o.name,
      date: o.date,
      from: new Date(a).toISOString(),
      to: new Date(b).toISOString(),
      ...combineParts(parts),
    });
  }
  return out;
}
