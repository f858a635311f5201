import type {
  MachineMode,
  MachineSnapshot,
  MachineState,
  PlantModel,
  SampleSeries,
  TagValue,
} from '@takt/protocol';
import type { Pool } from 'pg';
import { liveStaleAfterMs } from '../domain/machine-time';
import { shiftOccurrences } from '../domain/shifts';

interface SnapshotRow {
  id: string;
  name: string;
  line_id: string | null;
  line_name: string | null;
  site_id: string | null;
  gateway_id: string | null;
  state: MachineState;
  state_reason: string | null;
  state_since: Date | null;
  last_seen_at: Date | null;
  heartbeat_ms: number | null;
  good: string;
  reject: string;
  day_start: Date;
  mode_event: MachineMode | null;
  order_driven: boolean;
  work_order: string | null;
  /** Per tag: [value, value_text, value_kind, quality, unit, time] (a JSON array is cheaper to build than an object). */
  values: Record<
    string,
    [v: number | null, t: string | null, k: string, q: number, u: string | null, at: string]
  > | null;
}

const QUALITY_NAMES = ['good', 'uncertain', 'bad'] as const;

function tagValue([v, t, k, q, u, at]: NonNullable<SnapshotRow['values']>[string]): TagValue {
  const value = k === 'number' ? v : k === 'boolean' ? v === 1 : k === 'string' ? t : null;
  return {
    value,
    unit: u,
    quality: QUALITY_NAMES[q] ?? 'bad',
    at: new Date(at).toISOString(),
  };
}

function toSnapshot(row: SnapshotRow): MachineSnapshot {
  const values: Record<string, TagValue> = {};
  for (const [tag, raw] of Object.entries(row.values ?? {})) values[tag] = tagValue(raw);
  return {
    id: row.id,
    name: row.name,
    line: row.line_id,
    lineName: row.line_name,
    site: row.site_id,
    gatewayId: row.gateway_id,
    state: row.state,
    stateReason: row.state_reason,
    stateSince: row.state_since?.toISOString() ?? null,
    counts: {
      good: Number(row.good),
      reject: Number(row.reject),
      since: row.day_start.toISOString(),
    },
    values,
    lastSeenAt: row.last_seen_at?.toISOString() ?? null,
    staleAfterMs: liveStaleAfterMs(row.heartbeat_ms),
  };
}

/**
 * The snapshot statement, prepared by name on each connection (two texts: with and without a
 * machine list), so the live consumer's many updates a second are planned once per
 * connection instead of every time (docs/decisions.md "Issue 22 — the fourth pass"). The
 * day's cuts (its start, first whole minute and first whole hour) are worked out once per
 * time zone in `days`, not once per machine: inlined, their time-zone arithmetic was most of
 * the day-count part's cost ("Issue 22 — rollups once a minute is over").
 */
const SNAPSHOT = `WITH days AS MATERIALIZED (
       SELECT z.tz, d.day_start, e.fc,
              takt_hour(e.fc) + CASE WHEN takt_hour(e.fc) < e.fc THEN interval '1 hour'
                                     ELSE interval '0' END AS hc
         FROM (SELECT coalesce(time_zone, 'UTC') AS tz FROM sites UNION SELECT 'UTC') z
         CROSS JOIN LATERAL (
           SELECT date_trunc('day', now() AT TIME ZONE z.tz) AT TIME ZONE z.tz AS day_start) d
         CROSS JOIN LATERAL (
           SELECT date_trunc('minute', d.day_start)
                  + CASE WHEN date_trunc('minute', d.day_start) < d.day_start THEN interval '1 minute'
                         ELSE interval '0' END AS fc) e)
     SELECT m.id, m.name, m.line_id, l.name AS line_name, m.site_id, m.gateway_id, m.state,
            m.state_reason, m.state_since, m.last_seen_at, g.heartbeat_ms, d.day_start,
            coalesce(c.good, 0) AS good, coalesce(c.reject, 0) AS reject, v.values, m.order_driven,
            (SELECT mode FROM machine_modes WHERE machine_id = m.id ORDER BY time DESC, id DESC LIMIT 1) AS mode_event,
            (SELECT work_order_id FROM work_order_operations
              WHERE machine_id = m.id AND status = 'running' LIMIT 1) AS work_order
       FROM machines m
       LEFT JOIN lines l ON l.id = m.line_id
       LEFT JOIN sites s ON s.id = m.site_id
       LEFT JOIN gateways g ON g.id = m.gateway_id
       JOIN days d ON d.tz = coalesce(s.time_zone, 'UTC')
       LEFT JOIN LATERAL (
         SELECT sum(x.good) AS good, sum(x.reject) AS reject FROM (
           SELECT good, reject FROM counts_1h WHERE machine_id = m.id AND bucket >= d.hc
           UNION ALL
           -- A condition on the day alone skips an empty part without a look-up.
           SELECT good, reject FROM counts_1m
            WHERE d.fc < d.hc AND machine_id = m.id AND bucket >= d.fc AND bucket < d.hc
           UNION ALL
           SELECT good, reject FROM counts
            WHERE d.day_start < d.fc AND machine_id = m.id AND time >= d.day_start AND time < d.fc) x) c ON true
       LEFT JOIN LATERAL (
         SELECT json_object_agg(tag, json_build_array(
                  value, value_text, value_kind, quality, unit, time)) AS values
           FROM machine_values WHERE machine_id = m.id) v ON true`;
const SNAPSHOT_ORDER = 'ORDER BY l.id NULLS LAST, m.id';

/**
 * Board snapshot of every machine (or of `ids`): one query, indexed lookups per machine; the
 * day's pieces from its whole hours (counts_1h, migration 054), the minutes before the first
 * and the raw rows before the first whole minute, so an update reads as much at 23:00 as at 01:00.
 */
export async function machineSnapshots(
  pool: Pool,
  ids?: readonly string[],
): Promise<MachineSnapshot[]> {
  const { rows } = await pool.query<SnapshotRow>(
    ids
      ? {
          name: 'takt-live-snapshot-of',
          text: `${SNAPSHOT} WHERE m.id = ANY($1::text[]) ${SNAPSHOT_ORDER}`,
          values: [ids],
        }
      : { name: 'takt-live-snapshot', text: `${SNAPSHOT} ${SNAPSHOT_ORDER}` },
  );
  const now = Date.now();
  const byCalendar = new Map(
    [...(await calendarsOf(pool))].map(([site, c]) => [site, calendarMode(c, now)]),
  );
  return rows.map((row) => ({
    ...toSnapshot(row),
    mode:
      (row.site_id ? byCalendar.get(row.site_id) : undefined) ??
      row.mode_event ??
      (row.order_driven ? 'no_order' : 'production'),
    workOrder: row.work_order,
  }));
}

type Calendar = Pick<PlantModel, 'shifts' | 'holidays'> & { timeZone: string };

/**
 * Each site's calendar, re-read only when its plant model was loaded again (`loaded_at`), per
 * pool: the live consumer asks up to 10 times a second, and a 1,000-machine model with its
 * alert rules is megabytes of JSON (docs/decisions.md "Issue 22 — per-commit work").
 */
const calendarCache = new WeakMap<Pool, Map<string, { stamp: string; calendar: Calendar }>>();

async function calendarsOf(pool: Pool): Promise<Map<string, Calendar>> {
  let cache = calendarCache.get(pool);
  if (!cache) calendarCache.set(pool, (cache = new Map()));
  const stamps = await pool.query<{ site_id: string; stamp: string }>(
    'SELECT site_id, loaded_at::text AS stamp FROM plant_models',
  );
  const stale = stamps.rows.filter((r) => cache.get(r.site_id)?.stamp !== r.stamp);
  if (stale.length > 0) {
    const { rows } = await pool.query<{
      site_id: string;
      stamp: string;
      shifts: PlantModel['shifts'] | null;
      holidays: PlantModel['holidays'] | null;
      time_zone: string;
    }>(
      `SELECT site_id, loaded_at::text AS stamp, definition->'shifts' AS shifts,
              definition->'holidays' AS holidays, definition->'site'->>'timeZone' AS time_zone
         FROM plant_models WHERE site_id = ANY($1::text[])`,
      [stale.map((r) => r.site_id)],
    );
    for (const r of rows)
      cache.set(r.site_id, {
        stamp: r.stamp,
        calendar: { shifts: r.shifts ?? [], holidays: r.holidays ?? [], timeZone: r.time_zone },
      });
  }
  const calendars = new Map<string, Calendar>();
  for (const r of stamps.rows) {
    const hit = cache.get(r.site_id);
    if (hit) calendars.set(r.site_id, hit.calendar);
  }
  return calendars;
}

/** `no_shift` or `break` when the calendar says so at `now`, else undefined (the events decide). */
function calendarMode(plant: Calendar, now: number): MachineMode | undefined {
  if (plant.shifts.length === 0) return undefined;
  const shifts = shiftOccurrences(plant.shifts, now, now + 1, plant.timeZone, plant.holidays ?? []);
  if (shifts.length === 0) return 'no_shift';
  return shifts.some((s) => s.planned.length > 0) ? undefined : 'break';
}

/**
 * A tag's history in at most ~`maxPoints` buckets: the average of its good numbers, or for a
 * string tag the last good text of each bucket (docs/openapi.yaml).
 */
export async function sampleSeries(
  pool: Pool,
  machineId: string,
  tag: string,
  minutes: number,
  maxPoints = 1000,
): Promise<SampleSeries> {
  const bucketS = Math.max(1, Math.ceil((minutes * 60) / maxPoints));
  const { rows } = await pool.query<{ t: Date; v: number | null; text: string | null }>(
    `SELECT date_bin(make_interval(secs => $4), time, 'epoch') AS t, avg(value) FILTER (WHERE quality = 0) AS v,
            (array_agg(value_text ORDER BY time DESC) FILTER (WHERE quality = 0 AND value_text IS NOT NULL))[1] AS text
       FROM samples
      WHERE machine_id = $1 AND tag = $2 AND time >= now() - make_interval(mins => $3)
      GROUP BY 1 ORDER BY 1`,
    [machineId, tag, minutes, bucketS],
  );
  return {
    machineId,
    tag,
    points: rows.map((r) => [r.t.getTime(), r.text ?? (r.v === null ? null : Number(r.v))]),
  };
}

export async function machineExists(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM machines WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}
