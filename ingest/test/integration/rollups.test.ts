import type { DecodedMessage, ReadingValue } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { flushRollups, PAIRS_PER_FLUSH } from '../../src/pipeline/rollup-flusher';
import { writeBatch } from '../../src/pipeline/writer';
import { createTestDatabase } from '../helpers/test-db';

/**
 * The rollups ingest writes per batch (051_batch_rollups.postgres.sql, pipeline/write-rollups.ts)
 * against the raw rows they summarise, after batches that arrive out of event-time order,
 * across minute and hour boundaries, with duplicates inside a batch and across batches — added
 * by each batch, and deferred to the flusher as ingest's pipeline does
 * (056_rollup_marks.postgres.sql, pipeline/rollup-flusher.ts).
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
const writeWith = (deferRollups: boolean, ...messages: DecodedMessage[]) =>
  writeBatch(
    pool,
    messages.map((message) => ({ kind: 'message' as const, message })),
    { deferRollups },
  );

/** What a rollup must hold: the raw good numeric rows aggregated per bucket. */
const fromRaw = (width: string, prefix = 'r') =>
  pool.query(
    `SELECT date_bin('${width}', time, TIMESTAMPTZ 'epoch') AS bucket, machine_id, tag,
            min(value), max(value), sum(value), count(value),
            (array_agg(value ORDER BY time DESC))[1] AS last, max(time) AS last_time
       FROM samples WHERE quality = 0 AND value IS NOT NULL AND machine_id LIKE $1 || '%'
      GROUP BY 1, 2, 3 ORDER BY 2, 3, 1`,
    [prefix],
  );
const rollup = (table: string, prefix = 'r') =>
  pool.query(
    `SELECT bucket, machine_id, tag, min, max, sum, count, last, last_time FROM ${table}
      WHERE machine_id LIKE $1 || '%' ORDER BY 2, 3, 1`,
    [prefix],
  );
const pending = async () =>
  Number((await pool.query('SELECT count(*) AS n FROM rollup_marks')).rows[0].n);

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_rollups') });
  await migrate(pool, pino({ level: 'silent' }));
});
afterAll(() => pool.end());

describe('rollups written per batch', () => {
  // Each mode its own machines (prefix) and gateways: 'r' added by each batch, 'd' deferred.
  it.each([
    { mode: 'added by each batch', p: 'r', defer: false },
    { mode: 'deferred to the flusher', p: 'd', defer: true },
  ])(
    'equal the raw aggregates after out-of-order and duplicate batches, $mode',
    async ({ p, defer }) => {
      const put = (...messages: DecodedMessage[]) => writeWith(defer, ...messages);
      const [m1, m2, gwA, gwB] = [`${p}1`, `${p}2`, `${p}gwA`, `${p}gwB`];
      // Batch 1: the newest data first (after the hour boundary), two machines, two tags.
      const newest = metrics(gwA, 10, m1, [
        ['a', 150, 4],
        ['a', 130, 6.5],
        ['b', 140, 1],
      ]);
      await put(newest, metrics(gwB, 1, m2, [['a', 125, -3]]));
      // Batch 2: late data for the minutes before the hour (store-and-forward), the newest
      // message again (a duplicate across batches) and one seq twice within the batch.
      const late = metrics(gwA, 3, m1, [
        ['a', 10, 2],
        ['a', 70, 8],
        ['a', 5, 100],
        ['b', 59, 0.5],
      ]);
      const twice = metrics(gwB, 2, m2, [['a', 30, 7]]);
      const result = await put(late, newest, twice, twice);
      expect(result.duplicates).toBe(2);
      // Batch 3: later still in arrival, in the middle in event time; a bad reading, a text
      // reading and a boolean; and the late message again.
      await put(
        metrics(gwA, 11, m1, [
          ['a', 65, 9],
          ['a', 131, 50, 'bad'],
          ['recipe', 66, 'X-12'],
          ['b', 61, true],
        ]),
        late,
      );

      const raw = await pool.query(
        "SELECT count(*)::int AS n FROM samples WHERE machine_id LIKE $1 || '%'",
        [p],
      );
      expect(raw.rows).toEqual([{ n: 13 }]); // every reading once: duplicates were not stored
      if (defer) {
        // Nothing in the rollups yet: each batch left one mark, the flush computes all three.
        expect((await rollup('samples_1m', p)).rows).toEqual([]);
        expect(await pending()).toBe(3);
        expect(await flushRollups(pool)).toBe(3);
        expect(await pending()).toBe(0);
      }
      const minutes = await rollup('samples_1m', p);
      expect(minutes.rows).toEqual((await fromRaw('1 minute', p)).rows);
      const hours = await rollup('samples_1h', p);
      expect(hours.rows).toEqual((await fromRaw('1 hour', p)).rows);
      // The event-time buckets, spelled out for one series: m1/a in the hour before the
      // boundary holds 2, 100 (minute 9:58), 9 then 8 (9:59, 8 the newest); after it 6.5 and 4 (10:00).
      expect(hours.rows.filter((r) => r.machine_id === m1 && r.tag === 'a')).toEqual([
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
    },
  );

  it('takes the larger value as last when two readings end a minute at the same time, in either order', async () => {
    await writeWith(true, metrics('tgw', 1, 't1', [['a', 20, 2]]));
    await writeWith(true, metrics('tgw', 2, 't1', [['a', 20, 1]]));
    await writeWith(true, metrics('tgw', 3, 't2', [['a', 20, 1]]));
    await writeWith(true, metrics('tgw', 4, 't2', [['a', 20, 2]]));
    await flushRollups(pool);
    for (const table of ['samples_1m', 'samples_1h'])
      expect((await rollup(table, 't')).rows).toEqual([
        expect.objectContaining({ machine_id: 't1', count: '2', sum: 3, last: 2 }),
        expect.objectContaining({ machine_id: 't2', count: '2', sum: 3, last: 2 }),
      ]);
  });

  it('computes a minute again when late readings come for it after its flush', async () => {
    await writeWith(
      true,
      metrics('lgw', 1, 'l1', [
        ['a', 10, 5],
        ['a', 70, 1],
      ]),
    );
    expect(await flushRollups(pool)).toBe(1);
    // Late: the minute and hour already computed get a new newest value, a new min and more.
    await writeWith(
      true,
      metrics('lgw', 2, 'l1', [
        ['a', 50, -4],
        ['a', 55, 3],
      ]),
    );
    expect(await flushRollups(pool)).toBe(1);
    expect((await rollup('samples_1m', 'l')).rows).toEqual((await fromRaw('1 minute', 'l')).rows);
    expect((await rollup('samples_1h', 'l')).rows).toEqual((await fromRaw('1 hour', 'l')).rows);
    expect((await rollup('samples_1h', 'l')).rows).toEqual([
      expect.objectContaining({ count: '4', sum: 5, min: -4, max: 5, last: 1 }),
    ]);
  });

  it('computes at most the pairs asked for and marks the rest again, the oldest minutes first', async () => {
    for (let seq = 1; seq <= 3; seq += 1)
      await writeWith(true, metrics('pgw', seq, `p${seq}`, [['a', seq * 60, seq]]));
    const flush = async (pairs: number) =>
      (await pool.query('SELECT taken, over_left FROM takt_rollup_flush(500, false, $1)', [pairs]))
        .rows[0];
    expect(await flush(2)).toEqual({ taken: 3, over_left: 1 });
    expect((await rollup('samples_1m', 'p')).rows.map((r) => r.machine_id)).toEqual(['p1', 'p2']);
    expect(await pending()).toBe(1);
    expect(await flush(2)).toEqual({ taken: 1, over_left: 0 });
    expect(await pending()).toBe(0);
    expect((await rollup('samples_1m', 'p')).rows).toEqual((await fromRaw('1 minute', 'p')).rows);
  });

  it('comes back after a pause for minutes that are over and were left, until none is', async () => {
    // More pairs than one transaction computes (PAIRS_PER_FLUSH), all in minutes that are over.
    const machines = Array.from({ length: PAIRS_PER_FLUSH + 5 }, (_, i) => `q${i}`);
    await writeWith(true, ...machines.map((m, i) => metrics('qgw', i + 1, m, [['a', 30, i]])));
    expect(await flushRollups(pool)).toBe(2); // the batch's mark, then the one put back
    expect(await pending()).toBe(0);
    expect((await rollup('samples_1m', 'q')).rows).toEqual((await fromRaw('1 minute', 'q')).rows);
    expect((await rollup('samples_1m', 'q')).rows).toHaveLength(machines.length);
  });

  it('computes each mark once when two flushes run at the same time', async () => {
    for (let seq = 1; seq <= 6; seq += 1)
      await writeWith(true, metrics('cgw', seq, 'c1', [['a', seq * 20, seq]]));
    const [a, b] = await Promise.all([flushRollups(pool), flushRollups(pool)]);
    expect(a + b).toBe(6);
    expect(await pending()).toBe(0);
    expect((await rollup('samples_1m', 'c')).rows).toEqual((await fromRaw('1 minute', 'c')).rows);
    expect((await rollup('samples_1h', 'c')).rows).toEqual((await fromRaw('1 hour', 'c')).rows);
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
    // A deferred batch in the same hour, still marked: the rebuild reads its raw rows, and the
    // flush after it computes the marked minute again, which must count nothing twice.
    await writeWith(true, metrics('rgw3', 1, 'r4', [['a', 3 * 3600 + 30, 5]]));
    expect(await pending()).toBe(1);
    await pool.query('SELECT takt_rollup_rebuild($1, $2)', [at, new Date(at.getTime() + 140 * S)]);
    expect(await flushRollups(pool)).toBe(1);
    expect(await pending()).toBe(0);
    expect((await rollup('samples_1m')).rows).toEqual((await fromRaw('1 minute')).rows);
    expect((await rollup('samples_1h')).rows).toEqual((await fromRaw('1 hour')).rows);
  });
});
