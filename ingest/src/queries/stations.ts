import {
  STANDARD_STATION_CODES,
  refusalKey,
  type Message,
  type PlantModel,
  type ScanPattern,
  type StationEvent,
  type StationView,
} from '@takt/protocol';
import type { Pool } from 'pg';
import { andonRulesAt } from '../alerts/andon';
import { isStop } from '../domain/machine-time';
import { FOLDED_ACTIONS, MODE_ACTIONS } from '../domain/scan-fold';
import { shiftOccurrences } from '../domain/shifts';
import { rendered, storedMessage, type Reader } from './message-text';
import { machinesOf, machineWindow } from './oee';

/**
 * Stations (docs/work-orders.md "Stations in the browser"): every machine of a plant model
 * is a station of itself, and the model's `stations.list` adds stations that are not
 * machines.
 */
export interface Station {
  id: string;
  name: string;
  machine: string | null;
  line: string | null;
  site: string;
  plant: PlantModel;
}

/** A station of the loaded plant models, or undefined. */
export async function findStation(pool: Pool, id: string): Promise<Station | undefined> {
  const { rows } = await pool.query<{ site_id: string; definition: PlantModel }>(
    'SELECT site_id, definition FROM plant_models ORDER BY site_id',
  );
  for (const { site_id: site, definition: plant } of rows) {
    for (const line of plant.lines) {
      const machine = line.machines.find((m) => m.id === id);
      if (machine) return { id, name: machine.name, machine: id, line: line.id, site, plant };
    }
    const listed = plant.stations?.list.find((s) => s.id === id);
    if (listed)
      return {
        id,
        name: listed.name,
        machine: listed.machine ?? null,
        line: listed.line ?? null,
        site,
        plant,
      };
  }
  return undefined;
}

/** What the station's scanned codes mean. */
export const stationCodes = (station: Station): readonly ScanPattern[] =>
  station.plant.stations?.codes ?? STANDARD_STATION_CODES;

const EVENTS = 20;

type Plant = PlantModel;
type MachineConfig = Plant['lines'][number]['machines'][number];

function machineConfig(plant: Plant, id: string | null): MachineConfig | undefined {
  for (const line of plant.lines) {
    const m = line.machines.find((x) => x.id === id);
    if (m) return m;
  }
  return undefined;
}

/** Ask after a stop this long: the plant's `stations.promptAfterS`, else the machine's microstop threshold. */
export function promptAfterS(station: Station): number {
  return (
    station.plant.stations?.promptAfterS ??
    machineConfig(station.plant, station.machine)?.microstopThresholdS ??
    120
  );
}

/** Who is badged in at the station: its latest login, unless a logout came after it. */
async function badgedIn(pool: Pool, station: string): Promise<StationView['operator']> {
  const { rows } = await pool.query<{
    time: Date;
    action: string;
    operator: string | null;
    name: string | null;
  }>(
    `SELECT s.time, lower(s.action) AS action, s.operator, o.name
       FROM scans s LEFT JOIN operators o ON o.badge = s.operator
      WHERE s.station_id = $1 AND lower(s.action) IN ('login', 'logout')
      ORDER BY s.time DESC, s.gateway_id DESC, s.seq DESC LIMIT 1`,
    [station],
  );
  const r = rows[0];
  if (!r || r.action !== 'login' || r.operator === null) return null;
  return { badge: r.operator, name: r.name, since: r.time.toISOString() };
}

/** The operation running at the station, else the one paused there most recently started. */
async function currentOrder(pool: Pool, station: string): Promise<StationView['order']> {
  const { rows } = await pool.query<{
    work_order_id: string;
    id: string;
    product_id: string | null;
    quantity: number;
    good: string;
    rejected: string;
    status: 'running' | 'paused';
    started_at: Date | null;
  }>(
    `SELECT o.work_order_id, o.id, w.product_id, w.quantity, o.good, o.rejected, o.status, o.started_at
       FROM work_order_operations o JOIN work_orders w ON w.id = o.work_order_id
      WHERE o.machine_id = $1 AND o.status IN ('running', 'paused')
      ORDER BY o.status = 'running' DESC, o.started_at DESC NULLS LAST, o.work_order_id LIMIT 1`,
    [station],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    workOrder: r.work_order_id,
    operation: r.id,
    product: r.product_id ?? '',
    quantity: r.quantity,
    good: Number(r.good),
    rejected: Number(r.rejected),
    status: r.status,
    startedAt: r.started_at?.toISOString() ?? null,
  };
}

/** Good pieces the shift running now should make: targets.outputPerHour × its planned hours. */
function shiftTarget(station: Station, now: number): StationView['shiftTarget'] {
  const { plant } = station;
  const line = plant.lines.find((l) => l.id === station.line);
  const perHour =
    machineConfig(plant, station.machine)?.targets?.outputPerHour ??
    line?.targets?.outputPerHour ??
    plant.targets.outputPerHour;
  if (perHour === undefined || plant.shifts.length === 0) return null;
  const tz = plant.site.timeZone;
  const shift = shiftOccurrences(plant.shifts, now, now + 1, tz, plant.holidays).find(
    (o) => o.from <= now && now < o.to,
  );
  if (!shift) return null;
  const whole = shiftOccurrences(plant.shifts, shift.from, shift.to, tz, plant.holidays).find(
    (o) => o.shift === shift.shift && o.from === shift.from,
  )!;
  const plannedMs = whole.planned.reduce((sum, i) => sum + (i.to - i.from), 0);
  return {
    shift: shift.shift,
    from: new Date(shift.from).toISOString(),
    to: new Date(shift.to).toISOString(),
    pieces: Math.round((perHour * plannedMs) / 3_600_000),
  };
}

const FOLDED = new Set(FOLDED_ACTIONS);

/**
 * The last scans at the station, each with what it did: the order event it made (applied or
 * refused, docs/work-orders.md "Stations in the browser"), or, for a code that names no
 * order, its refusal here (`unknown-code`, `no-running-operation`). Stop reasons given at the
 * station and corrections of its machine's reasons join them.
 */
async function stationEvents(
  pool: Pool,
  station: Station,
  reader: Reader,
): Promise<StationEvent[]> {
  const scans = await pool.query<{
    time: Date;
    code: string;
    action: string | null;
    work_order: string | null;
    operation: string | null;
    operator: string | null;
    reason: string | null;
    quantity: number | null;
    e_kind: string | null;
    e_order: string | null;
    e_operation: string | null;
    e_good: string | null;
    e_rejected: string | null;
    e_detail: Record<string, unknown> | null;
  }>(
    `SELECT s.time, s.code, lower(s.action) AS action, s.work_order, s.operation, s.operator, s.reason, s.quantity,
            e.kind AS e_kind, e.work_order_id AS e_order, e.operation_id AS e_operation,
            e.good AS e_good, e.rejected AS e_rejected, e.detail AS e_detail
       FROM (SELECT * FROM scans WHERE station_id = $1
              ORDER BY time DESC, gateway_id DESC, seq DESC LIMIT ${EVENTS}) s
       LEFT JOIN LATERAL (
         SELECT * FROM work_order_events e
          WHERE e.time = s.time AND e.kind IN ('scan', 'refused', 'count')
            AND e.detail->>'code' = s.code
            AND (e.detail->>'station' = $1 OR e.machine_id = $1)
          ORDER BY e.id LIMIT 1) e ON true
      ORDER BY s.time DESC, s.gateway_id DESC, s.seq DESC`,
    [station.id],
  );
  const events: StationEvent[] = scans.rows.map((r) => {
    const d = r.e_detail ?? {};
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    const base: StationEvent = {
      at: r.time.toISOString(),
      kind: 'scan',
      code: r.code,
      action: r.action,
      workOrder: r.e_order ?? r.work_order,
      operation: r.e_operation ?? r.operation,
      operator: text(d.operator) ?? r.operator,
      good: null,
      rejected: null,
      reason: r.reason,
      refusal: null,
      message: null,
      messageKey: null,
      messageParams: null,
    };
    const refused = (refusal: string | null, message: Message | null): StationEvent => ({
      ...base,
      kind: 'refused',
      refusal,
      ...(message ? rendered(message, reader) : {}),
    });
    if (r.e_kind === 'refused') return refused(text(d.refusal), storedMessage(d));
    if (r.e_kind === 'count')
      return { ...base, kind: 'count', good: Number(r.e_good), rejected: Number(r.e_rejected) };
    if (r.e_kind === 'scan') return base;
    if (r.action === null || r.action === 'unknown')
      return refused('unknown-code', { key: refusalKey('unknown-code'), params: { code: r.code } });
    if (
      FOLDED.has(r.action) &&
      !['login', 'logout'].includes(r.action) &&
      !(r.action in MODE_ACTIONS)
    )
      return refused('no-running-operation', {
        key: refusalKey('no-running-operation'),
        params: { station: station.id },
      });
    return base;
  });
  if (station.machine !== null) events.push(...(await reasonEvents(pool, station, reader)));
  return events.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, EVENTS);
}

/** Reasons given at the station, and corrections of its machine's stop reasons. */
async function reasonEvents(pool: Pool, station: Station, reader: Reader): Promise<StationEvent[]> {
  const { rows } = await pool.query<{
    at: Date;
    kind: 'reason' | 'correction';
    stop_start: Date;
    reason: string;
    before: string | null;
    who: string | null;
  }>(
    `(SELECT assigned_at AS at, 'reason' AS kind, stop_start, reason, NULL AS before, given_by AS who
        FROM stop_reasons WHERE station_id = $1 AND source = 'station'
        ORDER BY assigned_at DESC LIMIT ${EVENTS})
     UNION ALL
     (SELECT corrected_at, 'correction', stop_start, after, before, corrected_by
        FROM stop_reason_corrections WHERE machine_id = $2 ORDER BY corrected_at DESC LIMIT ${EVENTS})`,
    [station.id, station.machine],
  );
  return rows.map((r) => ({
    at: r.at.toISOString(),
    kind: r.kind,
    code: null,
    action: null,
    workOrder: null,
    operation: null,
    operator: r.who,
    good: null,
    rejected: null,
    reason: r.reason,
    refusal: null,
    ...rendered(
      r.kind === 'correction'
        ? {
            key: 'stations.stop.corrected',
            params: {
              time: { time: r.stop_start.toISOString() },
              before: r.before ?? '—',
              after: r.reason,
            },
          }
        : {
            key: 'stations.stop.explained',
            params: { time: { time: r.stop_start.toISOString() } },
          },
      reader,
    ),
  }));
}

/** Stops of the station's machine longer than the prompt threshold, with no reason, still answerable. */
async function stopsToExplain(
  pool: Pool,
  station: Station,
  now: number,
): Promise<StationView['stops']> {
  if (station.machine === null) return [];
  const [machine] = await machinesOf(pool, { machine: station.machine });
  if (!machine) return [];
  const windowMs = station.plant.reasons.assignWithinHours * 3_600_000;
  const { states } = await machineWindow(pool, machine, now - windowMs, now);
  const minMs = promptAfterS(station) * 1000;
  return states
    .filter((s) => isStop(s) && s.reason === null && s.from > now - windowMs)
    .map((s) => ({ from: s.from, end: s.to >= now ? null : s.to }))
    .map((s) => ({ ...s, durationMs: (s.end ?? now) - s.from }))
    .filter((s) => s.durationMs >= minMs)
    .reverse()
    .map((s) => ({
      start: new Date(s.from).toISOString(),
      end: s.end === null ? null : new Date(s.end).toISOString(),
      durationMs: Math.round(s.durationMs),
    }));
}

/** Times each downtime reason was given at the machine in the last 30 days. */
async function reasonUses(pool: Pool, machine: string | null): Promise<Record<string, number>> {
  if (machine === null) return {};
  const { rows } = await pool.query<{ reason: string; n: string }>(
    `SELECT reason, count(*) AS n FROM stop_reasons
      WHERE machine_id = $1 AND stop_start >= now() - interval '30 days' GROUP BY reason`,
    [machine],
  );
  return Object.fromEntries(rows.map((r) => [r.reason, Number(r.n)]));
}

/**
 * The andon calls offered at the station: `id` is the rule's `call`, what the station's
 * `ANDON:<call>` code carries (ingest/src/alerts/andon.ts `andonCallOf` reads it back).
 */
export function andonCalls(plant: Plant, station: string): { id: string; name: string }[] {
  return andonRulesAt(plant, station).map((r) => ({ id: r.call, name: r.name ?? r.call }));
}

/** GET /api/stations/:id: everything a station's screen shows. */
export async function stationView(
  pool: Pool,
  station: Station,
  now = Date.now(),
  lang: Reader['lang'] = 'en',
): Promise<StationView> {
  const reader: Reader = { lang, timeZone: station.plant.site.timeZone };
  const [operator, order, events, stops, uses] = await Promise.all([
    badgedIn(pool, station.id),
    currentOrder(pool, station.id),
    stationEvents(pool, station, reader),
    stopsToExplain(pool, station, now),
    reasonUses(pool, station.machine),
  ]);
  return {
    station: { id: station.id, name: station.name, machine: station.machine, line: station.line },
    operator,
    order,
    shiftTarget: shiftTarget(station, now),
    events,
    stops,
    promptAfterS: promptAfterS(station),
    reasons: {
      downtime: station.plant.reasons.downtime,
      uses,
      reject: station.plant.reasons.reject,
    },
    andonCalls: andonCalls(station.plant, station.id),
  };
}
