import type { CharacteristicConfig, PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';
import { insertSubgroup, operationAt, type StoredSubgroup } from './store';

export interface GaugeReading {
  at: number;
  value: number;
}

/**
 * How a gauge's readings become subgroups (docs/decisions.md "Issue 23 — measurements, limits
 * and spc alerts"): all readings of the characteristic in event-time order, one per event time,
 * cut into consecutive runs of `subgroupSize` from the first reading ever kept; a run that is
 * not full waits. A subgroup's time is its last reading's, its key its first reading's time.
 * So the subgroups depend only on the set of readings, not on the order they arrived in.
 */
export function cutSubgroups(
  readings: readonly GaugeReading[],
  size: number,
): { at: number; first: number; values: number[] }[] {
  const sorted = [...readings].sort((a, b) => a.at - b.at);
  const out: { at: number; first: number; values: number[] }[] = [];
  for (let i = 0; i + size <= sorted.length; i += size) {
    const run = sorted.slice(i, i + size);
    out.push({ at: run[size - 1]!.at, first: run[0]!.at, values: run.map((r) => r.value) });
  }
  return out;
}

/** Characteristics by the machine tag that gauges them. */
export function gaugeIndex(plant: PlantModel | undefined): Map<string, CharacteristicConfig> {
  const index = new Map<string, CharacteristicConfig>();
  for (const c of plant?.quality.characteristics ?? [])
    if (c.gauge) index.set(`${c.gauge.machine}/${c.gauge.tag}`, c);
  return index;
}

const keyOf = (s: { dedupeKey: string | null; values: readonly number[] }) =>
  `${s.dedupeKey}|${s.values.join(',')}`;

/**
 * Stores a gauge's readings and the subgroups they complete, in one transaction. A reading at
 * an event time stored already (a replay) is left out. A reading that lands before subgroups
 * already cut (it arrived late) re-cuts those subgroups from the run it belongs to, so the
 * stored subgroups are always the cut of every reading kept. Answers the subgroups that are
 * new (not stored before with the same readings), for the alerts to judge.
 */
export async function takeGaugeReadings(
  pool: Pool,
  c: CharacteristicConfig,
  readings: readonly GaugeReading[],
): Promise<StoredSubgroup[]> {
  if (!c.gauge || readings.length === 0) return [];
  const size = c.subgroupSize ?? 1;
  const machine = c.gauge.machine;
  return withTransaction(pool, async (client) => {
    // One writer per characteristic at a time (the consumer is one lane; a second ingest is not).
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`spc-gauge:${c.id}`]);
    const inserted = await client.query<{ at: Date }>(
      `INSERT INTO spc_gauge_readings (characteristic, at, value)
       SELECT $1, unnest($2::timestamptz[]), unnest($3::double precision[])
       ON CONFLICT (characteristic, at) DO NOTHING RETURNING at`,
      [c.id, readings.map((r) => new Date(r.at)), readings.map((r) => r.value)],
    );
    if (inserted.rows.length === 0) return [];
    const earliest = Math.min(...inserted.rows.map((r) => r.at.getTime()));
    // Subgroups that end at or after the earliest new reading are cut again.
    const removed = await client.query<{ dedupe_key: string; values: number[] }>(
      `DELETE FROM spc_subgroups WHERE characteristic = $1 AND source = 'gauge' AND at >= $2
       RETURNING dedupe_key, "values"`,
      [c.id, new Date(earliest)],
    );
    const before = new Set(
      removed.rows.map((r) => keyOf({ dedupeKey: r.dedupe_key, values: r.values.map(Number) })),
    );
    const kept = await client.query<{ at: Date | null }>(
      `SELECT max(at) AS at FROM spc_subgroups WHERE characteristic = $1 AND source = 'gauge'`,
      [c.id],
    );
    const after = kept.rows[0]?.at ?? null;
    const pending = await client.query<{ at: Date; value: number }>(
      `SELECT at, value FROM spc_gauge_readings
        WHERE characteristic = $1 AND ($2::timestamptz IS NULL OR at > $2) ORDER BY at`,
      [c.id, after],
    );
    const fresh: StoredSubgroup[] = [];
    for (const run of cutSubgroups(
      pending.rows.map((r) => ({ at: r.at.getTime(), value: Number(r.value) })),
      size,
    )) {
      const op = await operationAt(client, machine, run.at);
      const stored = await insertSubgroup(client, {
        characteristic: c.id,
        at: run.at,
        values: run.values,
        workOrder: op?.workOrder ?? null,
        operation: op?.operation ?? null,
        source: 'gauge',
        dedupeKey: new Date(run.first).toISOString(),
      });
      if (stored && !before.has(keyOf(stored))) fresh.push(stored);
    }
    return fresh;
  });
}
