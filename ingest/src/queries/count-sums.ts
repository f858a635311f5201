import type { Pool } from 'pg';
import type { Interval } from '../domain/intervals';

/*
 * Pieces in a window, read from the hour rollups of migration 054 for the whole hours, the
 * minute rollups of migration 052 for the whole minutes at the hours' two ends and the raw
 * rows for the ragged ends, so a shift or a day of a 1,000-machine plant reads a few dozen
 * rows per machine instead of every count (docs/decisions.md "Issue 22 — fitting 1,000
 * machines", "Issue 22 — the fourth pass"). The sums are exactly those of the raw rows: the
 * rollups hold integer sums kept by statement triggers on every insert, update and delete.
 */

export interface CountWindow {
  machine: string;
  from: number;
  to: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** `rollups: false` reads every raw row (the reference the rollup path is tested against). */
export interface CountReading {
  rollups?: boolean;
}

/**
 * `unnest(…) AS w(i, m, f, t, fc, tf, hc, th)`: one row per window with its first whole
 * minute `fc`, the end of its last whole minute `tf`, and likewise its whole hours [hc, th)
 * inside [fc, tf) (hc = th = tf when it holds none). Whole hours come from the hour rollup,
 * the whole minutes [fc, least(hc, tf)) and [greatest(th, hc), tf) around them from the
 * minute rollup, and the raw rows give [f, least(fc, t)) and [greatest(tf, fc), t): together
 * they cover [f, t) once, whatever the window holds.
 */
export const ROLLED_WINDOWS =
  'unnest($1::int4[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[]) AS w(i, m, f, t, fc, tf, hc, th)';

export function rolledWindowParams(
  windows: readonly CountWindow[],
  { rollups = true }: CountReading = {},
) {
  // Without rollups no minute is whole: fc = tf = hc = th = t, so the raw rows give all of [f, t).
  const cuts = windows.map((w) => {
    if (!rollups) return { fc: w.to, tf: w.to, hc: w.to, th: w.to };
    const fc = Math.ceil(w.from / MINUTE_MS) * MINUTE_MS;
    const tf = Math.floor(w.to / MINUTE_MS) * MINUTE_MS;
    const hc = Math.ceil(fc / HOUR_MS) * HOUR_MS;
    const th = Math.floor(tf / HOUR_MS) * HOUR_MS;
    return hc < th ? { fc, tf, hc, th } : { fc, tf, hc: tf, th: tf };
  });
  return [
    windows.map((_, i) => i),
    windows.map((w) => w.machine),
    windows.map((w) => new Date(w.from)),
    windows.map((w) => new Date(w.to)),
    ...(['fc', 'tf', 'hc', 'th'] as const).map((k) => cuts.map((c) => new Date(c[k]))),
  ];
}

/** The raw rows of `table` at a window's two ragged ends (`extra`: more conditions). */
const raggedEnds = (columns: string, table: string, extra = '') => `
  SELECT ${columns} FROM ${table} WHERE machine_id = w.m${extra} AND time >= w.f AND time < least(w.fc, w.t)
  UNION ALL
  SELECT ${columns} FROM ${table} WHERE machine_id = w.m${extra} AND time >= greatest(w.tf, w.fc) AND time < w.t`;

/** A window's whole hours and the whole minutes around them, as (bucket, good, reject). */
const wholeCounts = `
  SELECT bucket, good, reject FROM counts_1h WHERE machine_id = w.m AND bucket >= w.hc AND bucket < w.th
  UNION ALL
  SELECT bucket, good, reject FROM counts_1m WHERE machine_id = w.m AND bucket >= w.fc AND bucket < least(w.hc, w.tf)
  UNION ALL
  SELECT bucket, good, reject FROM counts_1m WHERE machine_id = w.m AND bucket >= greatest(w.th, w.hc) AND bucket < w.tf`;

/** Good and rejected pieces counted in each window (all of them, claimed by orders or not). */
export async function countSums(
  pool: Pool,
  windows: readonly CountWindow[],
  reading: CountReading = {},
): Promise<{ good: number; reject: number }[]> {
  if (windows.length === 0) return [];
  const { rows } = await pool.query<{ i: number; good: string | null; reject: string | null }>(
    `SELECT w.i, sum(x.good) AS good, sum(x.reject) AS reject FROM ${ROLLED_WINDOWS}
       LEFT JOIN LATERAL (
         SELECT good, reject FROM (${wholeCounts}) h
         UNION ALL ${raggedEnds('good, reject', 'counts')}
       ) x ON true
      GROUP BY w.i ORDER BY w.i`,
    rolledWindowParams(windows, reading),
  );
  return rows.map((r) => ({ good: Number(r.good ?? 0), reject: Number(r.reject ?? 0) }));
}

/**
 * Good pieces counted in each window per UTC hour (keyed by its epoch ms, as domain/losses.ts):
 * whole hours and minutes from the rollups, which never straddle an hour, the ragged ends
 * from raw rows.
 */
export async function countsByHour(
  pool: Pool,
  windows: readonly CountWindow[],
  reading: CountReading = {},
): Promise<Map<number, number>[]> {
  const byWindow = windows.map(() => new Map<number, number>());
  if (windows.length === 0) return byWindow;
  const { rows } = await pool.query<{ i: number; hour: Date; good: string }>(
    `SELECT w.i, date_trunc('hour', x.t, 'UTC') AS hour, sum(x.good) AS good FROM ${ROLLED_WINDOWS}
       CROSS JOIN LATERAL (
         SELECT bucket AS t, good FROM (${wholeCounts}) h
         UNION ALL ${raggedEnds('time, good', 'counts')}
       ) x
      GROUP BY 1, 2`,
    rolledWindowParams(windows, reading),
  );
  for (const r of rows) byWindow[r.i]!.set(r.hour.getTime(), Number(r.good));
  return byWindow;
}

/** Pieces claimed by work orders in each window, per ideal cycle of the order's product. */
export async function claimedSums(
  pool: Pool,
  windows: readonly CountWindow[],
  reading: CountReading = {},
) {
  if (windows.length === 0) return [];
  const events = "AND kind = 'count' AND detail IS NULL";
  const { rows } = await pool.query<{
    i: number;
    ideal_cycle_ms: number | null;
    good: string;
    reject: string;
  }>(
    `SELECT w.i, coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) AS ideal_cycle_ms,
            sum(x.good) AS good, sum(x.rejected) AS reject
       FROM ${ROLLED_WINDOWS} CROSS JOIN LATERAL (
         SELECT work_order_id, good, rejected, n FROM order_counts_1m
          WHERE machine_id = w.m AND bucket >= w.fc AND bucket < w.tf
         UNION ALL ${raggedEnds('work_order_id, coalesce(good, 0), coalesce(rejected, 0), 1', 'work_order_events', ` ${events}`)}
       ) x
       JOIN work_orders wo ON wo.id = x.work_order_id
       LEFT JOIN products p ON p.id = wo.product_id
       LEFT JOIN product_machine_cycles pmc ON pmc.product_id = wo.product_id AND pmc.machine_id = w.m
      GROUP BY 1, 2 HAVING sum(x.n) > 0
      ORDER BY 1, 2`,
    rolledWindowParams(windows, reading),
  );
  return rows;
}

/**
 * Rejects counted inside each window's startup intervals (normalized, so none overlap),
 * all of them (`claimed: false`) or per ideal cycle of the claiming order's product: raw
 * rows, the intervals being short.
 */
export async function startupRejects(
  pool: Pool,
  windows: readonly CountWindow[],
  startup: readonly (readonly Interval[])[],
) {
  const flat = startup.flatMap((list, i) =>
    list.map((s) => ({
      i,
      machine: windows[i]!.machine,
      from: Math.max(s.from, windows[i]!.from),
      to: Math.min(s.to, windows[i]!.to),
    })),
  );
  const all = new Map<number, number>();
  const claimed = new Map<string, number>();
  const live = flat.filter((s) => s.to > s.from);
  if (live.length === 0) return { all, claimed };
  const params = [
    live.map((s) => s.i),
    live.map((s) => s.machine),
    live.map((s) => new Date(s.from)),
    live.map((s) => new Date(s.to)),
  ];
  const S = 'unnest($1::int4[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS s(i, m, f, t)';
  const a = await pool.query<{ i: number; reject: string }>(
    `SELECT s.i, sum(c.reject) AS reject FROM ${S}
       JOIN counts c ON c.machine_id = s.m AND c.time >= s.f AND c.time < s.t GROUP BY s.i`,
    params,
  );
  for (const r of a.rows) all.set(r.i, Number(r.reject));
  const c = await pool.query<{ i: number; ideal_cycle_ms: number | null; reject: string | null }>(
    `SELECT s.i, coalesce(pmc.ideal_cycle_ms, p.ideal_cycle_ms) AS ideal_cycle_ms, sum(e.rejected) AS reject
       FROM ${S}
       JOIN work_order_events e ON e.machine_id = s.m AND e.time >= s.f AND e.time < s.t
                               AND e.kind = 'count' AND e.detail IS NULL
       JOIN work_orders wo ON wo.id = e.work_order_id
       LEFT JOIN products p ON p.id = wo.product_id
       LEFT JOIN product_machine_cycles pmc ON pmc.product_id = wo.product_id AND pmc.machine_id = s.m
      GROUP BY 1, 2`,
    params,
  );
  for (const r of c.rows) claimed.set(claimKey(r.i, r.ideal_cycle_ms), Number(r.reject ?? 0));
  return { all, claimed };
}

export const claimKey = (i: number, idealCycleMs: number | null) => `${i}:${idealCycleMs}`;
