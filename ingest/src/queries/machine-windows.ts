import type { MachineMode, MachineState, PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import { intersect, type Interval } from '../domain/intervals';
import {
  splitMonitored,
  stateIntervals,
  stateStaleAfterMs,
  withStopReasons,
} from '../domain/machine-time';
import {
  busyIntervals,
  modeIntervals,
  modeTime,
  startupIntervals,
  type ModeEvent,
} from '../domain/modes';
import { shiftOccurrences } from '../domain/shifts';
import { claimedSums, claimKey, countSums, startupRejects, type CountReading } from './count-sums';
import { firstDataAtMany } from './first-data';
import type { MachineRow } from './oee';
import { setupReasons } from '../domain/setup-reasons';

/** One machine over [from, to): what `machineWindows` loads. */
export interface WindowRequest {
  machine: MachineRow;
  from: number;
  to: number;
}

export interface ProductCount {
  idealCycleMs: number | null;
  good: number;
  total: number;
  startupRejects: number;
}

const DEFAULT_MODES = {
  planned: ['cleaning', 'planned_maintenance', 'no_order'],
  startupMinutes: 15,
};

/**
 * The windows as SQL parameters: `unnest($1::int4[], $2::text[], $3::timestamptz[],
 * $4::timestamptz[]) AS w(i, m, f, t)` is one row per window, so each query below reads
 * every window at once (a lateral subquery per window, the same SQL as for one machine).
 */
const WINDOWS =
  'unnest($1::int4[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS w(i, m, f, t)';
const windowParams = (requests: readonly WindowRequest[]) => [
  requests.map((_, i) => i),
  requests.map((r) => r.machine.id),
  requests.map((r) => new Date(r.from)),
  requests.map((r) => new Date(r.to)),
];

function byWindow<R extends { i: number }>(n: number, rows: readonly R[]): R[][] {
  const out = Array.from({ length: n }, (): R[] => []);
  for (const r of rows) out[r.i]!.push(r);
  return out;
}

/**
 * Plant models read once per load (their `loaded_at`) and kept per pool: with its alert rules
 * a 1,000-machine model is megabytes of JSON, and every windows query used to read and parse
 * it again (docs/decisions.md "Issue 22 — fitting 1,000 machines").
 */
const plantCache = new WeakMap<Pool, Map<string, { stamp: string; plant: PlantModel }>>();

async function plantsOf(pool: Pool, requests: readonly WindowRequest[]) {
  const sites = [...new Set(requests.map((r) => r.machine.site_id))].filter((s) => s !== null);
  const plants = new Map<string, PlantModel>();
  if (sites.length === 0) return plants;
  let cache = plantCache.get(pool);
  if (!cache) plantCache.set(pool, (cache = new Map()));
  const stamps = await pool.query<{ site_id: string; stamp: string }>(
    'SELECT site_id, loaded_at::text AS stamp FROM plant_models WHERE site_id = ANY($1::text[])',
    [sites],
  );
  const stale = stamps.rows.filter((r) => cache.get(r.site_id)?.stamp !== r.stamp);
  if (stale.length > 0) {
    const { rows } = await pool.query<{ site_id: string; stamp: string; definition: PlantModel }>(
      'SELECT site_id, loaded_at::text AS stamp, definition FROM plant_models WHERE site_id = ANY($1::text[])',
      [stale.map((r) => r.site_id)],
    );
    for (const r of rows) cache.set(r.site_id, { stamp: r.stamp, plant: r.definition });
  }
  for (const r of stamps.rows) {
    const hit = cache.get(r.site_id);
    if (hit) plants.set(r.site_id, hit.plant);
  }
  return plants;
}

/** Per window: the mode in force at `from`, then every one inside. */
async function modeEvents(pool: Pool, requests: readonly WindowRequest[]) {
  const { rows } = await pool.query<{ i: number; time: Date; mode: ModeEvent['mode'] }>(
    `SELECT w.i, x.time, x.mode FROM ${WINDOWS} CROSS JOIN LATERAL (
       (SELECT 0 AS k, time, id, mode FROM machine_modes WHERE machine_id = w.m AND time < w.f ORDER BY time DESC, id DESC LIMIT 1)
       UNION ALL
       (SELECT 1 AS k, time, id, mode FROM machine_modes WHERE machine_id = w.m AND time >= w.f AND time < w.t)
     ) x ORDER BY w.i, x.k, x.time, x.id`,
    windowParams(requests),
  );
  return byWindow(requests.length, rows).map((list, i) =>
    list.map((r) => ({ ts: Math.max(r.time.getTime(), requests[i]!.from), mode: r.mode })),
  );
}

/** Per window: the state in force at `from` (the last change before it), then every change inside. */
async function stateEvents(pool: Pool, requests: readonly WindowRequest[]) {
  const { rows } = await pool.query<{
    i: number;
    time: Date;
    state: MachineState;
    reason: string | null;
  }>(
    `SELECT w.i, x.time, x.state, x.reason FROM ${WINDOWS} CROSS JOIN LATERAL (
       (SELECT 0 AS k, time, state, reason FROM machine_states WHERE machine_id = w.m AND time < w.f ORDER BY time DESC LIMIT 1)
       UNION ALL
       (SELECT 1 AS k, time, state, reason FROM machine_states WHERE machine_id = w.m AND time >= w.f AND time < w.t)
     ) x ORDER BY w.i, x.k, x.time`,
    windowParams(requests),
  );
  return byWindow(requests.length, rows).map((list) =>
    list.map((e) => ({ ts: e.time.getTime(), state: e.state, reason: e.reason })),
  );
}

/** Per window: reasons given to stops that began in it (or up to 31 days before). */
async function stopReasons(pool: Pool, requests: readonly WindowRequest[]) {
  const { rows } = await pool.query<{ i: number; stop_start: Date; reason: string }>(
    `SELECT w.i, r.stop_start, r.reason FROM ${WINDOWS}
       JOIN stop_reasons r ON r.machine_id = w.m AND r.stop_start < w.t AND r.stop_start >= w.f - interval '31 days'`,
    windowParams(requests),
  );
  return byWindow(requests.length, rows).map((list) =>
    list.map((r) => ({ stopStart: r.stop_start.getTime(), reason: r.reason })),
  );
}

/**
 * Pieces made in each window, per product: counts claimed by work orders go to the order's
 * product (its ideal cycle on this machine), the rest to the machine's default product.
 * `startupRejects`: rejects counted inside the window's startup intervals (during and just
 * after changeovers). Whole minutes come from the rollups of migration 052 (count-sums.ts).
 */
async function productCounts(
  pool: Pool,
  requests: readonly WindowRequest[],
  startup: readonly (readonly Interval[])[],
  reading: CountReading,
): Promise<ProductCount[][]> {
  const windows = requests.map((r) => ({ machine: r.machine.id, from: r.from, to: r.to }));
  const all = await countSums(pool, windows, reading);
  const claimed = await claimedSums(pool, windows, reading);
  const inStartup = await startupRejects(pool, windows, startup);
  const claimedBy = byWindow(requests.length, claimed);
  return all.map((rest, i) =>
    withRest(
      claimedBy[i]!.map((r) => ({
        idealCycleMs: r.ideal_cycle_ms,
        good: Number(r.good),
        total: Number(r.good) + Number(r.reject),
        startupRejects: inStartup.claimed.get(claimKey(i, r.ideal_cycle_ms)) ?? 0,
      })),
      { ...rest, startup: inStartup.all.get(i) ?? 0 },
      requests[i]!.machine.ideal_cycle_ms,
    ),
  );
}

/** The pieces no order claims go to the machine's default product. */
function withRest(
  products: ProductCount[],
  rest: { good: number; reject: number; startup: number },
  idealCycleMs: number | null,
): ProductCount[] {
  const sum = (f: (p: ProductCount) => number) => products.reduce((s, p) => s + f(p), 0);
  const good = Number(rest.good) - sum((p) => p.good);
  const reject = Number(rest.reject) - sum((p) => p.total - p.good);
  return [
    ...products,
    {
      idealCycleMs,
      good,
      total: good + reject,
      startupRejects: Number(rest.startup) - sum((p) => p.startupRejects),
    },
  ];
}

/** A machine's modes from its plant's calendar, mode rules and its mode events (pure). */
function modesOf(
  { machine, from, to }: WindowRequest,
  plant: PlantModel | null,
  events: readonly ModeEvent[],
) {
  const shifts = plant?.shifts ?? [];
  const occurrences =
    shifts.length > 0
      ? shiftOccurrences(shifts, from, to, machine.time_zone, plant?.holidays ?? [])
      : null;
  return modeIntervals(
    events,
    occurrences,
    from,
    to,
    machine.order_driven ? 'no_order' : 'production',
  );
}

/** Windows shaped between two turns of the event loop (`machineWindows`). */
const WINDOWS_PER_SLICE = 50;

/**
 * What each machine did in its window [from, to): its modes (calendar, mode cards, work
 * orders), planned busy time, state intervals with reasons given afterwards, and pieces
 * per product — for all windows in a fixed number of queries (issue 16), whatever their
 * number.
 */
export async function machineWindows(
  pool: Pool,
  requests: readonly WindowRequest[],
  reading: CountReading = {},
) {
  if (requests.length === 0) return [];
  const plants = await plantsOf(pool, requests);
  const plantOf = (r: WindowRequest) =>
    r.machine.site_id === null ? null : (plants.get(r.machine.site_id) ?? null);
  const modeEventsBy = await modeEvents(pool, requests);
  const firstData = await firstDataAtMany(
    pool,
    requests.map((r) => r.machine),
  );
  const statesBy = await stateEvents(pool, requests);
  const reasonsBy = await stopReasons(pool, requests);
  const shape = (r: WindowRequest, i: number) => {
    const plant = plantOf(r);
    const modeRules = plant?.modes ?? DEFAULT_MODES;
    const modes = modesOf(r, plant, modeEventsBy[i]!);
    const { busy, notMonitored } = splitMonitored(
      busyIntervals(modes, modeRules.planned as MachineMode[]),
      firstData.get(r.machine.id) ?? null,
    );
    const raw = stateIntervals(
      statesBy[i]!,
      r.from,
      r.to,
      stateStaleAfterMs(r.machine.heartbeat_ms),
    );
    return {
      plant,
      modes,
      busy,
      notMonitored,
      states: withStopReasons(raw, reasonsBy[i]!),
      setup: {
        changeovers: intersect(modeTime(modes, 'changeover'), busy),
        reasons: setupReasons(plant),
      },
      startup: startupIntervals(modes, modeRules.startupMinutes * 60_000),
    };
  };
  // A plant's windows are shaped a slice at a time, letting the event loop run between
  // slices: shaped in one go, 1,000 machines' windows (the shift board, the polled OEE rules)
  // held ingest's event loop for a few hundred ms, and every batch being written then waited
  // for it (docs/decisions.md "Issue 22 — rollups once a minute is over").
  const shaped: ReturnType<typeof shape>[] = [];
  for (let i = 0; i < requests.length; i += 1) {
    if (i > 0 && i % WINDOWS_PER_SLICE === 0)
      await new Promise<void>((resolve) => setImmediate(resolve));
    shaped.push(shape(requests[i]!, i));
  }
  const products = await productCounts(
    pool,
    requests,
    shaped.map((s) => s.startup),
    reading,
  );
  return shaped.map(({ startup: _startup, ...w }, i) => ({ ...w, products: products[i]! }));
}

export type MachineWindow = Awaited<ReturnType<typeof machineWindows>>[number];
