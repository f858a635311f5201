import type { Pool } from 'pg';
import { boardWindow, type BoardWindow } from '../domain/board-window';
import { loadPlantModel } from '../plant';
import { countSums, type CountReading } from './count-sums';
import { machineOeeReports, oeeReport, type OeeReport } from './oee';
import { inSlices, PLANT_SLICES, type Slices } from './slices';

/**
 * Good pieces in [a, b) minus those in [b, a) for each machine: what to add to a count since
 * `b` to get the count since `a` (both in the past, so the figure holds between polls). One
 * query for the whole plant, whole minutes from the rollup (count-sums.ts).
 */
async function goodBetweenMany(
  pool: Pool,
  machines: readonly string[],
  a: number,
  b: number,
  reading: CountReading = {},
  slices: Slices = PLANT_SLICES,
) {
  const out = new Map<string, number>();
  if (a === b) return out;
  const from = Math.min(a, b);
  const to = Math.max(a, b);
  const sums = await inSlices(
    machines.map((machine) => ({ machine, from, to })),
    (windows) => countSums(pool, windows, reading),
    slices,
  );
  machines.forEach((id, i) => out.set(id, sums[i]!.good * (a < b ? 1 : -1)));
  return out;
}

/** The site a board asks about (the first one when it names none), its window and machines. */
async function boardScope(pool: Pool, siteId: string | null, now: number) {
  const site =
    siteId ??
    (
      await pool.query<{ site_id: string }>(
        'SELECT site_id FROM plant_models ORDER BY site_id LIMIT 1',
      )
    ).rows[0]?.site_id ??
    null;
  const plant = await loadPlantModel(pool, site);
  const timeZone = plant?.site.timeZone ?? 'UTC';
  const window = boardWindow(plant?.shifts ?? [], plant?.holidays ?? [], timeZone, now);
  const { rows } = await pool.query<{ id: string; line_id: string | null }>(
    'SELECT id, line_id FROM machines WHERE $1::text IS NULL OR site_id = $1 ORDER BY id',
    [site],
  );
  return { site, window, machines: rows };
}

type Scope = Awaited<ReturnType<typeof boardScope>>;

/** The answer of `GET /api/boards/shift` from each machine's report and live offset. */
function shiftBody(
  { site, window, machines }: Scope,
  now: number,
  reportOf: (id: string) => OeeReport | undefined,
  offsetOf: (id: string) => number,
) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    site,
    serverTime: iso(now),
    shift: window.shift
      ? { ...window.shift, from: iso(window.shift.from), to: iso(window.shift.to) }
      : null,
    from: iso(window.from),
    to: iso(window.to),
    inShift: window.inShift,
    countsSince: iso(window.midnight),
    machines: machines.map((row) => {
      const report = reportOf(row.id);
      return {
        id: row.id,
        line: row.line_id,
        plannedBusyMs: report?.plannedBusyMs ?? 0,
        runMs: report?.runMs ?? 0,
        notMonitoredMs: report?.notMonitoredMs ?? 0,
        goodCount: report?.goodCount ?? 0,
        totalCount: report?.totalCount ?? 0,
        availability: report?.availability ?? null,
        performance: report?.performance ?? null,
        quality: report?.quality ?? null,
        oee: report?.oee ?? null,
        liveOffset: offsetOf(row.id),
      };
    }),
  };
}

const hasTime = (window: BoardWindow) => window.to > window.from;

/**
 * Every machine's OEE (ISO 22400-2, as `/api/oee`) from the start of the board's shift to
 * now, with the planned busy time and good count, so a board compares count with target;
 * `liveOffset` turns the live count (since the plant's midnight) into the shift's count.
 *
 * A slice of machines at a time (`slices`, queries/slices.ts) in a fixed number of queries
 * each (machineOeeReports, the set-based reads of queries/machine-windows.ts): the same
 * figures as asking each machine alone (`shiftOeeMachineByMachine`), which took about 3 s for
 * 200 machines (docs/decisions.md "Issue 22 — fitting 1,000 machines").
 */
export async function shiftOee(
  pool: Pool,
  siteId: string | null,
  now = Date.now(),
  slices: Slices = PLANT_SLICES,
) {
  const scope = await boardScope(pool, siteId, now);
  const { window, machines } = scope;
  const ids = machines.map((m) => m.id);
  const reports = hasTime(window)
    ? await machineOeeReports(
        pool,
        ids.map((machine) => ({ machine, from: window.from, to: window.to })),
        slices,
      )
    : [];
  const reportOf = new Map(ids.map((id, i) => [id, reports[i]]));
  const offsets = await goodBetweenMany(pool, ids, window.from, window.midnight, {}, slices);
  return shiftBody(
    scope,
    now,
    (id) => reportOf.get(id),
    (id) => offsets.get(id) ?? 0,
  );
}

const RAW: CountReading = { rollups: false };

/**
 * The same figures the way they were computed before migration 052: one machine at a time,
 * each with its own `oeeReport`, from every raw count row: the reference the fast path is
 * tested against
 * (ingest/test/integration/boards-shift-fast.test.ts) and the bench's baseline
 * (bench/routes.ts). Not used by any route.
 */
export async function shiftOeeMachineByMachine(
  pool: Pool,
  siteId: string | null,
  now = Date.now(),
) {
  const scope = await boardScope(pool, siteId, now);
  const { window } = scope;
  const reports = new Map<string, OeeReport | undefined>();
  const offsets = new Map<string, number>();
  for (const row of scope.machines) {
    if (hasTime(window))
      reports.set(row.id, await oeeReport(pool, { machine: row.id }, window.from, window.to, RAW));
    const offset = await goodBetweenMany(pool, [row.id], window.from, window.midnight, RAW);
    offsets.set(row.id, offset.get(row.id) ?? 0);
  }
  return shiftBody(
    scope,
    now,
    (id) => reports.get(id),
    (id) => offsets.get(id) ?? 0,
  );
}
