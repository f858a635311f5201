import type { PoolClient } from 'pg';

/** A sample as the rollups see it: good-quality numeric values only (005_storage.postgres.sql). */
export interface RollupInput {
  time: Date;
  machine: string;
  tag: string;
  num: number | null;
  quality: number;
}

/** One (machine, tag, minute) of a batch; the columns of samples_1m. */
export interface MinuteAggregate {
  bucketMs: number;
  machine: string;
  tag: string;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastMs: number;
}

const MINUTE_MS = 60_000;

/**
 * A batch's good numeric readings folded per (machine, tag, UTC minute) — the minutes of
 * `date_bin('1 minute', time, '2000-01-01')`, whose origin is a whole minute after the epoch.
 * `last` is the value at the newest time (the later one in the batch on a tie).
 */
export function minuteAggregates(rows: readonly RollupInput[]): MinuteAggregate[] {
  const byKey = new Map<string, MinuteAggregate>();
  for (const r of rows) {
    if (r.quality !== 0 || r.num === null) continue;
    const timeMs = r.time.getTime();
    const bucketMs = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    const key = `${r.machine}\u0000${r.tag}\u0000${bucketMs}`;
    const a = byKey.get(key);
    if (!a) {
      byKey.set(key, {
        bucketMs,
        machine: r.machine,
        tag: r.tag,
        min: r.num,
        max: r.num,
        sum: r.num,
        count: 1,
        last: r.num,
        lastMs: timeMs,
      });
      continue;
    }
    if (r.num < a.min) a.min = r.num;
    if (r.num > a.max) a.max = r.num;
    a.sum += r.num;
    a.count += 1;
    if (timeMs >= a.lastMs) {
      a.last = r.num;
      a.lastMs = timeMs;
    }
  }
  return [...byKey.values()];
}

/**
 * Adds the batch's minutes to samples_1m and samples_1h in the batch's transaction
 * (`takt_rollup_add`, 051_batch_rollups.postgres.sql; a no-op on TimescaleDB, whose
 * continuous aggregates keep the rollups). One statement, a row per minute of a series
 * instead of a row per reading.
 */
export async function writeRollups(
  client: PoolClient,
  rows: readonly RollupInput[],
): Promise<void> {
  const minutes = minuteAggregates(rows);
  if (minutes.length === 0) return;
  await client.query('SELECT takt_rollup_add($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
    minutes.map((m) => new Date(m.bucketMs)),
    minutes.map((m) => m.machine),
    minutes.map((m) => m.tag),
    minutes.map((m) => m.min),
    minutes.map((m) => m.max),
    minutes.map((m) => m.sum),
    minutes.map((m) => m.count),
    minutes.map((m) => m.last),
    minutes.map((m) => new Date(m.lastMs)),
  ]);
}
