import type { DecodedMessage, ReadingValue } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { writeBatch } from '../../src/pipeline/writer';
import { createTestDatabase } from '../helpers/test-db';

/**
 * The rollups ingest writes per batch (051_batch_rollups.postgres.sql, pipeline/write-rollups.ts)
 * against the raw rows they summarise, after batches that arrive out of event-time order,
 * across minute and hour boundaries, with duplicates inside a batch and across batches.
 */
const T0 = Date.UTC(2026, 10, 20, 9, 58, 0); // two minutes before an hour boundary
const S = 1000;

type Reading = [tag: string, atS: number, value: ReadingValue, quality?: 'good' | 'bad'];
const metrics = (gatewayId: string, seq: number, machineId: string, readings: Reading[]) =>
  ({
    site: 's1',
    gatewayId,
    machineId,
    kind: 'metrics',
    payload: {
      v: 1,
      seq,
      ts: T0 + readings[0]![1] * S,
      readings: readings.map(([tag, atS, value, quality]) => ({
        tag,
        ts: T0 + atS * S,
        value,
        quality: quality ?? 'good',
      })),
    },
  }) as DecodedMessage;
const write = (...messages: DecodedMessage[]) =>
  writeBatch(
    pool,
    messages.map((message) => ({ kind: 'message' as const, message })),
  );

/** What a rollup must hold: the raw good numeric rows aggregated per bucket. */
const fromRaw = (width: string) =>
  pool.query(
    `SELECT date_bin('${width}', time, TIMESTAMPTZ 'epoch') AS bucket, machine_id, tag,
            min(value), max(value), sum(value), count(value),
            (array_agg(value ORDER BY time DESC))[1] AS last, max(time) AS last_time
       FROM samples WHERE quality = 0 AND value IS NOT NULL AND machine_id LIKE 'r%'
      GROUP BY 1, 2, 3 ORDER BY 2, 3, 1`,
  );
const rollup = (table: string) =>
  pool.query(
    `SELECT bucket, machine_id, tag, min, max, sum, count, last, last_time FROM ${table}
      WHERE machine_id LIKE 'r%' ORDER BY 2, 3, 1`,
  );

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_rollups') });
  await migrate(pool, pino({ level: 'silent' }));
});
afterAll(() => pool.end());

describe('rollups written per batch', () => {
  it('equal the raw aggregates after out-of-order and duplicate batches', async () => {
    // Batch 1: the newest data first (after the hour boundary), two machines, two tags.
    const newest = metrics('gwA', 10, 'r1', [
      ['a', 150, 4],
      ['a', 130, 6.5],
      ['b', 140, 1],
    ]);
    await write(newest, metrics('gwB', 1, 'r2', [['a', 125, -3]]));
    // Batch 2: late data for the minutes before the hour (store-and-forward), the newest
    // message again (a duplicate across batches) and one seq twice within the batch.
    const late = metrics('gwA', 3, 'r1', [
      ['a', 10, 2],
      ['a', 70, 8],
      ['a', 5, 100],
      ['b', 59, 0.5],
    ]);
    const twice = metrics('gwB', 2, 'r2', [['a', 30, 7]]);
    const result = await write(late, newest, twice, twice);
    expect(result.duplicates).toBe(2);
    // Batch 3: later still in arrival, in the middle in event time; a bad reading, a text
    // reading and a boolean; and the late message again.
    await write(
      metrics('gwA', 11, 'r1', [
        ['a', 65, 9],
        ['a', 131, 50, 'bad'],
        ['recipe', 66, 'X-12'],
        ['b', 61, true],
      ]),
      late,
    );

    const raw = await pool.query(
      "SELECT count(*)::int AS n FROM samples WHERE machine_id LIKE 'r%'",
    );
    expect(raw.rows).toEqual([{ n: 13 }]); // every reading once: duplicates were not stored
    const minutes = await rollup('samples_1m');
    expect(minutes.rows).toEqual((await fromRaw('1 minute')).rows);
    const hours = await rollup('samples_1h');
    expect(hours.rows).toEqual((await fromRaw('1 hour')).rows);
    // The event-time buckets, spelled out for one series: r1/a in the hour before the
    // boundary holds 2, 100 (minute 9:58), 9 then 8 (9:59, 8 the newest); after it 6.5 and 4 (10:00).
    expect(hours.rows.filter((r) => r.machine_id === 'r1' && r.tag === 'a')).toEqual([
      expect.objectContaining({
        bucket: new Date(Date.UTC(2026, 10, 20, 9)),
        count: '4',
        sum: 119,
        min: 2,
        max: 100,
        last: 8,
      }),
      expect.objectContaining({
        bucket: new Date(Date.UTC(2026, 10, 20, 10)),
        count: '2',
        sum: 10.5,
        min: 4,
        max: 6.5,
        last: 4,
      }),
    ]);
  });

  it('rebuilds the rollups of rows written by hand from the raw samples', async () => {
    const at = new Date(T0 + 3 * 3_600_000);
    await pool.query("SELECT takt_ensure_partitions('samples', 'day', ARRAY[$1::timestamptz])", [
      at,
    ]);
    await pool.query(
      `INSERT INTO samples (time, machine_id, tag, value, quality)
       SELECT $1::timestamptz + make_interval(secs => i * 7), 'r3', 'a', i, 0 FROM generate_series(0, 20) i`,
      [at],
    );
    expect((await rollup('samples_1m')).rows.filter((r) => r.machine_id === 'r3')).toEqual([]);
    await pool.query('SELECT takt_rollup_rebuild($1, $2)', [at, new Date(at.getTime() + 140 * S)]);
    expect((await rollup('samples_1m')).rows).toEqual((await fromRaw('1 minute')).rows);
    expect((await rollup('samples_1h')).rows).toEqual((await fromRaw('1 hour')).rows);
  });
});
