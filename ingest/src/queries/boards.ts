import type { Pool } from 'pg';
import { boardWindow } from '../domain/board-window';
import { loadPlantModel } from '../plant';
import { oeeReport } from './oee';

/**
 * Good pieces in [a, b) minus those in [b, a): what to add to a count since `b` to get the
 * count since `a` (both in the past, so the figure holds between polls).
 */
async function goodBetween(pool: Pool, machineId: string, a: number, b: number) {
  if (a === b) return 0;
  const { rows } = await pool.query<{ good: string }>(
    'SELECT coalesce(sum(good), 0) AS good FROM counts WHERE machine_id = $1 AND time >= $2 AND time < $3',
    [machineId, new Date(Math.min(a, b)), new Date(Math.max(a, b))],
  );
  return Number(rows[0]!.good) * (a < b ? 1 : -1);
}

/**
 * Every machine's OEE (ISO 22400-2, as `/api/oee`) from the start of the board's shift to
 * now, with the planned busy time and good count, so a board compares count with target;
 * `liveOffset` turns the live count (since the plant's midnight) into the shift's count.
 */
export async function shiftOee(pool: Pool, siteId: string | null, now = Date.now()) {
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
  const machines = [];
  // One machine at a time: a 200-machine plant must not take the whole pool.
  for (const row of rows) {
    const report =
      window.to > window.from
        ? await oeeReport(pool, { machine: row.id }, window.from, window.to)
        : undefined;
    machines.push({
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
      liveOffset: await goodBetween(pool, row.id, window.from, window.midnight),
    });
  }
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
    machines,
  };
}
