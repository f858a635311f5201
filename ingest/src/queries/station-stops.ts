import { reasonIds, type Message, type PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';
import { isStop, type StateInterval } from '../domain/machine-time';
import { machinesOf, machineWindow } from './oee';

/**
 * A stop named by its machine and start gets a reason from a station, or a supervisor
 * corrects one (docs/decisions.md "Issue 17 — the operator station"): the station's answer
 * goes to that stop whenever it is sent; the same answer again is a retry; another one is
 * refused, and changing it is the supervisor's logged correction. A refusal is a message
 * (protocol/src/messages/stations.ts) the route renders in its reader's language.
 */
export type StopReasonOutcome =
  | { ok: true; stopStart: string; stopEnd: string | null; reason: string; before: string | null }
  | { ok: false; status: 400 | 404 | 409; message: Message };

const iso = (ms: number) => new Date(ms).toISOString();

function unknownReason(plant: PlantModel | null, reason: string): Message | undefined {
  const tree = reasonIds(plant?.reasons.downtime ?? []);
  return tree.length > 0 && !tree.includes(reason)
    ? { key: 'stations.stop.unknownReason', params: { reason } }
    : undefined;
}

/** The stop of `machine` starting exactly at `startMs`, as its states show it now. */
async function stopStartingAt(
  pool: Pool,
  machineId: string,
  startMs: number,
  windowMs: number,
  now: number,
): Promise<{ stop: StateInterval } | { status: 404 | 409; message: Message }> {
  const [machine] = await machinesOf(pool, { machine: machineId });
  if (!machine)
    return {
      status: 404,
      message: { key: 'stations.stop.machineNotFound', params: { machine: machineId } },
    };
  if (startMs > now || startMs < now - windowMs)
    return {
      status: 409,
      message: { key: 'stations.stop.tooOld', params: { hours: windowMs / 3_600_000 } },
    };
  // From just before the start: an interval clipped at the window's edge never looks like one
  // that starts there.
  const { states } = await machineWindow(pool, machine, startMs - 1, now);
  const stop = states.find((s) => s.from === startMs && isStop(s));
  if (!stop)
    return {
      status: 409,
      message: {
        key: 'stations.stop.noStopAt',
        params: { machine: machineId, time: { time: iso(startMs) } },
      },
    };
  return { stop };
}

const endOf = (stop: StateInterval, now: number) => (stop.to >= now ? null : iso(stop.to));

/** A station's answer to "why did it stop?". */
export async function giveStopReason(
  pool: Pool,
  given: { machine: string; station: string; by: string; stopStartMs: number; reason: string },
  plant: PlantModel,
  now = Date.now(),
): Promise<StopReasonOutcome> {
  const bad = unknownReason(plant, given.reason);
  if (bad) return { ok: false, status: 400, message: bad };
  const windowMs = plant.reasons.assignWithinHours * 3_600_000;
  const found = await stopStartingAt(pool, given.machine, given.stopStartMs, windowMs, now);
  if ('status' in found) return { ok: false, ...found };
  const { stop } = found;
  let reason = stop.reason;
  if (reason === null) {
    await pool.query(
      `INSERT INTO stop_reasons (machine_id, stop_start, reason, source, given_by, station_id)
       VALUES ($1, $2, $3, 'station', $4, $5) ON CONFLICT DO NOTHING`,
      [given.machine, new Date(stop.from), given.reason, given.by, given.station],
    );
    // Two answers at once: the one stored first is the stop's reason.
    const { rows } = await pool.query<{ reason: string }>(
      'SELECT reason FROM stop_reasons WHERE machine_id = $1 AND stop_start = $2',
      [given.machine, new Date(stop.from)],
    );
    reason = rows[0]?.reason ?? given.reason;
  }
  if (reason !== given.reason)
    return {
      ok: false,
      status: 409,
      message: { key: 'stations.stop.hasReason', params: { reason } },
    };
  return {
    ok: true,
    stopStart: iso(stop.from),
    stopEnd: endOf(stop, now),
    reason,
    before: null,
  };
}

/** A supervisor's correction: the reason replaced, who, when, before and after kept. */
export async function correctStopReason(
  pool: Pool,
  given: { machine: string; by: string; stopStartMs: number; reason: string },
  plant: PlantModel | null,
  now = Date.now(),
): Promise<StopReasonOutcome> {
  const bad = unknownReason(plant, given.reason);
  if (bad) return { ok: false, status: 400, message: bad };
  // A supervisor corrects reasons of the last 31 days (what the downtime reports show).
  const found = await stopStartingAt(
    pool,
    given.machine,
    given.stopStartMs,
    31 * 24 * 3_600_000,
    now,
  );
  if ('status' in found) return { ok: false, ...found };
  const { stop } = found;
  const start = new Date(stop.from);
  const before = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ reason: string }>(
      'SELECT reason FROM stop_reasons WHERE machine_id = $1 AND stop_start = $2 FOR UPDATE',
      [given.machine, start],
    );
    // A PLC reason (the state's own) has no row: the correction adds one over it.
    const was = rows[0]?.reason ?? stop.reason;
    await client.query(
      `INSERT INTO stop_reasons (machine_id, stop_start, reason, source, given_by)
       VALUES ($1, $2, $3, 'correction', $4)
       ON CONFLICT (machine_id, stop_start) DO UPDATE SET
         reason = EXCLUDED.reason, source = 'correction', given_by = EXCLUDED.given_by, assigned_at = now()`,
      [given.machine, start, given.reason, given.by],
    );
    await client.query(
      `INSERT INTO stop_reason_corrections (machine_id, stop_start, before, after, corrected_by)
       VALUES ($1, $2, $3, $4, $5)`,
      [given.machine, start, was, given.reason, given.by],
    );
    return was;
  });
  return {
    ok: true,
    stopStart: iso(stop.from),
    stopEnd: endOf(stop, now),
    reason: given.reason,
    before,
  };
}
