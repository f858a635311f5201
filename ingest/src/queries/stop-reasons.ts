import type { Pool } from 'pg';
import { reasonIds } from '@takt/protocol';
import { stopToExplain } from '../domain/machine-time';
import { stopForReasonCard } from '../domain/reason-scans';
import { loadPlantModel } from '../plant';
import { machinesOf, machineWindow } from './oee';

/** How far back a stop may still be given a reason, unless the plant model says otherwise. */
export const REASON_WINDOW_MS = 24 * 3_600_000;

export type AssignOutcome =
  | { ok: true; stopStart: string; stopEnd: string; reason: string }
  | { ok: false; status: 404 | 409 | 422; reason: string };

/**
 * Give a stop the PLC left unexplained a reason, afterwards: the stop at `at`, or the
 * machine's latest, within the plant's window (`reasons.assignWithinHours`, 24 h by default).
 * When the plant declares a downtime reason tree, the reason must be one of its codes.
 */
export async function assignStopReason(
  pool: Pool,
  machineId: string,
  reason: string,
  source: 'scan' | 'api',
  at?: number,
  now = Date.now(),
): Promise<AssignOutcome> {
  const [machine] = await machinesOf(pool, { machine: machineId });
  if (!machine) return { ok: false, status: 404, reason: `machine "${machineId}" not found` };
  const plant = await loadPlantModel(pool, machine.site_id);
  const hours = plant?.reasons?.assignWithinHours ?? REASON_WINDOW_MS / 3_600_000;
  const tree = reasonIds(plant?.reasons?.downtime ?? []);
  if (tree.length > 0 && !tree.includes(reason))
    return {
      ok: false,
      status: 422,
      reason: `unknown reason code "${reason}" (see the plant's reason tree)`,
    };
  const windowMs = hours * 3_600_000;
  if (at !== undefined && (at > now || at < now - windowMs)) {
    return {
      ok: false,
      status: 409,
      reason: `reasons can be given to stops of the last ${hours} hours`,
    };
  }
  const { states } = await machineWindow(pool, machine, now - windowMs, now);
  const found = stopToExplain(states, at);
  if ('refused' in found) return { ok: false, status: 409, reason: found.refused };
  await pool.query(
    'INSERT INTO stop_reasons (machine_id, stop_start, reason, source) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [machineId, new Date(found.stop.from), reason, source],
  );
  return {
    ok: true,
    stopStart: new Date(found.stop.from).toISOString(),
    stopEnd: new Date(found.stop.to).toISOString(),
    reason,
  };
}

/**
 * Reason cards (`action: reason`) scanned at a machine at or after `since`, resolved again
 * in edge-time order: each explains the stop of its own time (domain/reason-scans.ts). Called
 * when a card arrives and when states of its time arrive, which may be later than the card
 * (docs/decisions.md, "Issue 15 — scans at event time"). Returns the cards refused.
 */
export async function resolveReasonCards(
  pool: Pool,
  machineId: string,
  since: number,
): Promise<{ ts: number; code: string; refused: string }[]> {
  const cards = await pool.query<{ time: Date; code: string; reason: string }>(
    `SELECT time, code, reason FROM scans
      WHERE station_id = $1 AND time >= $2 AND lower(action) = 'reason' AND reason IS NOT NULL
      ORDER BY time, gateway_id, seq`,
    [machineId, new Date(since)],
  );
  // Every batch with states asks; most machines have no card since then, and then no row
  // of theirs to redo either (a scan-made reason is stamped with its card's time): one query.
  if (cards.rows.length === 0) return [];
  const [machine] = await machinesOf(pool, { machine: machineId });
  if (!machine) return [];
  await pool.query(
    "DELETE FROM stop_reasons WHERE machine_id = $1 AND source = 'scan' AND scanned_at >= $2",
    [machineId, new Date(since)],
  );
  const plant = await loadPlantModel(pool, machine.site_id);
  const windowMs = (plant?.reasons?.assignWithinHours ?? REASON_WINDOW_MS / 3_600_000) * 3_600_000;
  const tree = reasonIds(plant?.reasons?.downtime ?? []);
  const refused: { ts: number; code: string; refused: string }[] = [];
  for (const card of cards.rows) {
    const ts = card.time.getTime();
    if (tree.length > 0 && !tree.includes(card.reason)) {
      refused.push({ ts, code: card.code, refused: `unknown reason code "${card.reason}"` });
      continue;
    }
    const { states } = await machineWindow(pool, machine, ts - windowMs, ts + 1);
    const found = stopForReasonCard(states, ts, windowMs);
    if ('refused' in found) refused.push({ ts, code: card.code, refused: found.refused });
    else
      await pool.query(
        `INSERT INTO stop_reasons (machine_id, stop_start, reason, source, scanned_at)
         VALUES ($1, $2, $3, 'scan', $4) ON CONFLICT DO NOTHING`,
        [machineId, new Date(found.stop.from), card.reason, card.time],
      );
  }
  return refused;
}
