import type { PoolClient } from 'pg';
import { numberArray, textArray, timeArray } from './pg-arrays';

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
 * Adds a good numeric reading of one series to its minutes of the batch — the minutes of
 * `date_bin('1 minute', time, '2000-01-01')`, whose origin is a whole minute after the epoch.
 * `last` is the value at the newest time (the later one in the batch on a tie). A batch's
 * readings of a series mostly share a minute: the newest is looked at first.
 */
export function foldMinute(
  minutes: MinuteAggregate[],
  machine: string,
  tag: string,
  timeMs: number,
  num: number,
): void {
  const bucketMs = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
  let a: MinuteAggregate | undefined;
  for (let i = minutes.length - 1; i >= 0; i -= 1)
    if (minutes[i]!.bucketMs === bucketMs) {
      a = minutes[i];
      break;
    }
  if (!a) {
    minutes.push({
      bucketMs,
      machine,
      tag,
      min: num,
      max: num,
      sum: num,
      count: 1,
      last: num,
      lastMs: timeMs,
    });
    return;
  }
  if (num < a.min) a.min = num;
  if (num > a.max) a.max = num;
  a.sum += num;
  a.count += 1;
  if (timeMs >= a.lastMs) {
    a.last = num;
    a.lastMs = timeMs;
  }
}

/**
 * Adds the batch's minutes to samples_1m and samples_1h in the batch's transaction
 * (`takt_rollup_add` of 051_batch_rollups.postgres.sql, through `takt_rollup_add_direct`, which
 * keeps the flusher out until the batch commits): one statement, a row per minute of a series
 * instead of a row per reading. With `defer` (ingest's pipeline), only the machines' minutes
 * are marked (`takt_rollup_mark`, 056_rollup_marks.postgres.sql): the flusher computes those
 * minutes from the raw samples once they are over (pipeline/rollup-flusher.ts;
 * docs/decisions.md "Issue 22 — the sixth pass"). Both are no-ops on TimescaleDB, whose
 * continuous aggregates keep the rollups.
 */
export async function writeRollups(
  client: PoolClient,
  minutes: readonly MinuteAggregate[],
  defer = false,
): Promise<void> {
  if (minutes.length === 0) return;
  if (defer) {
    const pairs = new Map<string, { machine: string; bucketMs: number }>();
    for (const m of minutes) pairs.set(`${m.machine}\u0000${m.bucketMs}`, m);
    const marked = [...pairs.values()];
    await client.query('SELECT takt_rollup_mark($1, $2)', [
      textArray(marked.map((m) => m.machine)),
      timeArray(marked.map((m) => m.bucketMs)),
    ]);
    return;
  }
  // Array literals built here (pipeline/pg-arrays.ts): thousands of elements a batch.
  await client.query('SELECT takt_rollup_add_direct($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
    timeArray(minutes.map((m) => m.bucketMs)),
    textArray(minutes.map((m) => m.machine)),
    textArray(minutes.map((m) => m.tag)),
    numberArray(minutes.map((m) => m.min)),
    numberArray(minutes.map((m) => m.max)),
    numberArray(minutes.map((m) => m.sum)),
    numberArray(minutes.map((m) => m.count)),
    numberArray(minutes.map((m) => m.last)),
    timeArray(minutes.map((m) => m.lastMs)),
  ]);
}
