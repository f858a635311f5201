import type { MachineMode } from '@takt/protocol';
import type { Pool } from 'pg';
import { measure } from '../domain/intervals';
import { accountTime } from '../domain/machine-time';
import { modeTotals } from '../domain/modes';
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
import type { CountReading } from './count-sums';
import { inSlices, PLANT_SLICES, type Slices } from './slices';
import { machineWindows, type MachineWindow } from './machine-windows';

/** Moved to domain/setup-reasons.ts (pure); kept here for the callers of this module. */
export { setupReasons } from '../domain/setup-reasons';

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

/**
 * What one machine did in [from, to): its modes (calendar, mode cards, work orders), planned
 * busy time, state intervals with reasons given afterwards, and pieces per product
 * (machine-windows.ts, which reads many machines at once).
 */
export async function machineWindow(
  pool: Pool,
  machine: MachineRow,
  from: number,
  to: number,
  reading: CountReading = {},
) {
  const [window] = await machineWindows(pool, [{ machine, from, to }], reading);
  return window!;
}

/** One machine's OEE input, time account, losses and modes over its window (pure). */
export function partOf(machine: MachineRow, window: MachineWindow, from: number, to: number) {
  const { busy, notMonitored, states, setup, products, modes } = window;
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

/**
 * Each machine's part over its window, from one `machineWindows` call: a line's machines (or
 * a line's machines in each shift) in a fixed number of queries, not a set of queries per
 * machine run side by side (docs/decisions.md "Issue 22 — the third pass").
 */
async function machineParts(
  pool: Pool,
  requests: readonly { machine: MachineRow; from: number; to: number }[],
  reading: CountReading = {},
): Promise<Part[]> {
  const windows = await machineWindows(pool, requests, reading);
  return requests.map((r, i) => partOf(r.machine, windows[i]!, r.from, r.to));
}

export const MACHINE_ROWS = `SELECT m.id, m.site_id, coalesce(s.time_zone, 'UTC') AS time_zone, m.microstop_threshold_ms, m.order_driven,
            coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) AS ideal_cycle_ms,
            m.first_data_at, g.heartbeat_ms
       FROM machines m
       LEFT JOIN gateways g ON g.id = m.gateway_id
       LEFT JOIN sites s ON s.id = m.site_id
       LEFT JOIN products p ON p.id = m.product_id
       LEFT JOIN product_machine_cycles pmc ON pmc.product_id = m.product_id AND pmc.machine_id = m.id`;

const SCOPE_COLUMN = { site: 'm.site_id', line: 'm.line_id', machine: 'm.id' } as const;

/** The machines of a scope (one machine, a line's or a site's) with what OEE needs of each. */
export async function machinesOf(
  pool: Pool,
  scope: Scope | { site: string },
): Promise<MachineRow[]> {
  const [kind, id] = Object.entries(scope)[0] as [keyof typeof SCOPE_COLUMN, string];
  const { rows } = await pool.query<MachineRow>(
    `${MACHINE_ROWS} WHERE ${SCOPE_COLUMN[kind]} = $1 ORDER BY m.id`,
    [id],
  );
  return rows;
}

/**
 * OEE of each machine over its own window, in a fixed number of queries per slice of machines
 * (queries/slices.ts; the polled OEE alerts, the shift board, the shift report); undefined for
 * a machine that is not in the plant.
 */
export function machineOeeReports(
  pool: Pool,
  requests: readonly { machine: string; from: number; to: number }[],
  slices: Slices = PLANT_SLICES,
): Promise<(OeeReport | undefined)[]> {
  return inSlices(requests, (slice) => machineOeeReportsAtOnce(pool, slice), slices);
}

async function machineOeeReportsAtOnce(
  pool: Pool,
  requests: readonly { machine: string; from: number; to: number }[],
): Promise<(OeeReport | undefined)[]> {
  if (requests.length === 0) return [];
  const { rows } = await pool.query<MachineRow>(`${MACHINE_ROWS} WHERE m.id = ANY($1::text[])`, [
    [...new Set(requests.map((r) => r.machine))],
  ]);
  const machines = new Map(rows.map((m) => [m.id, m]));
  const asked = requests.map((r) => {
    const machine = machines.get(r.machine);
    return machine && { machine, from: r.from, to: r.to };
  });
  const known = asked.filter((k) => k !== undefined);
  const windows = await machineWindows(pool, known);
  const windowOf = new Map(known.map((k, i) => [k, windows[i]!]));
  return asked.map((k) => k && combineParts([partOf(k.machine, windowOf.get(k)!, k.from, k.to)]));
}

/**
 * OEE of machines (one, or a line's) over [from, to): summed, then divided. `reading`: see
 * count-sums.ts (the rollups by default).
 */
export async function oeeReport(
  pool: Pool,
  scope: Scope,
  from: number,
  to: number,
  reading: CountReading = {},
): Promise<OeeReport | undefined> {
  const rows = await machinesOf(pool, scope);
  if (rows.length === 0) return undefined;
  const parts = await machineParts(
    pool,
    rows.map((machine) => ({ machine, from, to })),
    reading,
  );
  return combineParts(parts);
}

export type Part = ReturnType<typeof partOf>;

/** Machines or windows as one: times and counts summed, then divided (domain/oee.ts). */
export function combineParts(parts: readonly Part[]): OeeReport {
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
  const spans = occurrences.map((o) => ({
    o,
    from: Math.max(o.from, from),
    to: Math.min(o.to, to),
  }));
  const parts = await machineParts(
    pool,
    spans.flatMap((span) => rows.map((machine) => ({ machine, from: span.from, to: span.to }))),
  );
  return spans.map(({ o, from: a, to: b }, i) => ({
    shift: o.shift,
    name: o.name,
    date: o.date,
    from: new Date(a).toISOString(),
    to: new Date(b).toISOString(),
    ...combineParts(parts.slice(i * rows.length, (i + 1) * rows.length)),
  }));
}
