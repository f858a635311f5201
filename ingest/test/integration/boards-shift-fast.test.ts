import { plantModelSchema } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { applyPlantModel } from '../../src/plant';
import { shiftOee, shiftOeeMachineByMachine } from '../../src/queries/boards';
import { countSums, countsByHour } from '../../src/queries/count-sums';
import { createTestDatabase } from '../helpers/test-db';

/*
 * The shift board's fast path (all machines at once, whole hours and minutes from the rollups
 * of migrations 054 and 052) against the reference (one machine at a time from every raw row), on a
 * seeded plant with changeovers, orders claiming pieces, and counts that arrive late, out of
 * order, are re-derived (UPDATE) and withdrawn (DELETE).
 */
let pool: pg.Pool;
const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-11-20T13:37:25.500Z');
const MACHINES = Array.from({ length: 12 }, (_, i) => `m${i + 1}`);

/** A repeatable pseudo-random sequence (a fixed seed: the same plant on every run). */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

async function insertCounts(
  rows: { time: number; machine: string; good: number; reject: number }[],
) {
  await pool.query(
    `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject)
     SELECT t, m, 0, 0, g, r FROM unnest($1::timestamptz[], $2::text[], $3::int[], $4::int[]) AS u(t, m, g, r)`,
    [
      rows.map((r) => new Date(r.time)),
      rows.map((r) => r.machine),
      rows.map((r) => r.good),
      rows.map((r) => r.reject),
    ],
  );
}

async function expectSameFigures() {
  const fast = await shiftOee(pool, null, NOW);
  const reference = await shiftOeeMachineByMachine(pool, null, NOW);
  // What a screen receives: the JSON of both.
  expect(JSON.parse(JSON.stringify(fast))).toEqual(JSON.parse(JSON.stringify(reference)));
  // A plant of more machines than a slice is computed a slice at a time: the same answer.
  const sliced = await shiftOee(pool, null, NOW, { size: 5, pauseMs: 1 });
  expect(JSON.parse(JSON.stringify(sliced))).toEqual(JSON.parse(JSON.stringify(reference)));
  return fast;
}

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_boards_fast') });
  await migrate(pool, pino({ level: 'silent' }));
  await applyPlantModel(
    pool,
    plantModelSchema.parse({
      site: { id: 'site-1', name: 'Site', timeZone: 'Europe/Berlin' },
      lines: [
        {
          id: 'line-1',
          name: 'Line 1',
          machines: MACHINES.map((id) => ({ id, name: id, product: 'p' })),
        },
      ],
      products: [
        { id: 'p', name: 'P', idealCycleMs: 20_000 },
        { id: 'q', name: 'Q', idealCycleMs: 45_000 },
      ],
      shifts: [
        { id: 'early', name: 'Early', start: '06:00', end: '14:00' },
        { id: 'late', name: 'Late', start: '14:00', end: '22:00' },
      ],
    }),
  );
  const rand = random(22);
  const since = at('2026-11-19T20:00:00Z');
  const states = ['running', 'running', 'idle', 'down'];
  for (const machine of MACHINES) {
    // States at uneven times, some seconds apart (microstops), some minutes.
    const times: number[] = [];
    for (let t = since; t < NOW; t += Math.floor(rand() * 900_000) + 7_000) times.push(t);
    await pool.query(
      `INSERT INTO machine_states (time, machine_id, state, gateway_id, seq)
       SELECT t, $2, s, 'gw', row_number() OVER () FROM unnest($1::timestamptz[], $3::text[]) AS u(t, s)`,
      [times.map((t) => new Date(t)), machine, times.map(() => states[Math.floor(rand() * 4)]!)],
    );
    // Counts at odd milliseconds, inserted in shuffled order (out-of-order arrival).
    const counts = [];
    for (let t = since + 1_337; t < NOW; t += Math.floor(rand() * 40_000) + 500)
      counts.push({ time: t, machine, good: Math.floor(rand() * 5), reject: rand() < 0.1 ? 1 : 0 });
    counts.sort(() => rand() - 0.5);
    for (let i = 0; i < counts.length; i += 97) await insertCounts(counts.slice(i, i + 97));
  }
  // A changeover this shift on two machines: startup rejects come from its startup interval.
  for (const machine of ['m2', 'm5'])
    await pool.query(
      `INSERT INTO machine_modes (machine_id, time, mode, source) VALUES
         ($1, '2026-11-20T10:12:13.250Z', 'changeover', 'api'),
         ($1, '2026-11-20T10:40:00Z', 'production', 'api')`,
      [machine],
    );
  // Orders of product q claim part of the pieces of m1..m4 (work-orders consumer's events).
  await pool.query(
    `INSERT INTO work_orders (id, product_id, quantity) VALUES ('WO-1', 'q', 10000), ('WO-2', 'p', 500)`,
  );
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, good, rejected, machine_id)
     SELECT CASE WHEN c.machine_id = 'm4' THEN 'WO-2' ELSE 'WO-1' END, c.time, 'count', 'op-1', c.good, c.reject, c.machine_id
       FROM counts c WHERE c.machine_id IN ('m1', 'm2', 'm3', 'm4') AND c.time >= '2026-11-20T08:00:00Z'`,
  );
});

afterAll(async () => {
  await pool?.end();
});

describe('the shift board read from rollups', () => {
  it('gives exactly the figures of one machine at a time from every raw row', async () => {
    const body = await expectSameFigures();
    expect(body.machines).toHaveLength(MACHINES.length);
    // Something to compare: pieces, run time and the live offset since midnight.
    expect(body.shift?.shift).toBe('late');
    expect(body.machines.every((m) => m.goodCount > 0 && m.runMs > 0)).toBe(true);
    // The late shift began after midnight: the live count holds the early shift too.
    expect(body.machines.some((m) => m.liveOffset < 0)).toBe(true);
  });

  it('stays exact when counts arrive late, are re-derived and withdrawn', async () => {
    const before = await shiftOee(pool, null, NOW);
    // Late: pieces in minutes long closed, and in the minute of now.
    await insertCounts([
      { time: at('2026-11-20T13:05:00.001Z'), machine: 'm1', good: 7, reject: 2 },
      { time: at('2026-11-20T13:37:10Z'), machine: 'm1', good: 3, reject: 0 },
      { time: at('2026-11-20T13:10:59.999Z'), machine: 'm2', good: 4, reject: 1 },
    ]);
    // Re-derived (write-series.ts placeLateCounts) and an order's events withdrawn (apply.ts).
    await pool.query(
      `UPDATE counts SET good = good + 5 WHERE machine_id = 'm3' AND time >= '2026-11-20T13:00:00Z' AND time < '2026-11-20T13:20:00Z'`,
    );
    await pool.query(
      `DELETE FROM work_order_events WHERE machine_id = 'm2' AND time >= '2026-11-20T13:00:00Z'`,
    );
    const after = await expectSameFigures();
    const good = (body: typeof after, id: string) =>
      body.machines.find((m) => m.id === id)!.goodCount;
    expect(good(after, 'm1')).toBe(good(before, 'm1') + 10);
    expect(good(after, 'm2')).toBe(good(before, 'm2') + 4);
    expect(good(after, 'm3')).toBeGreaterThan(good(before, 'm3'));
  });

  it('sums windows of any shape exactly: inside one minute, across one, whole minutes', async () => {
    const windows = [
      { from: at('2026-11-20T12:00:10.250Z'), to: at('2026-11-20T12:00:50Z') },
      { from: at('2026-11-20T12:00:30Z'), to: at('2026-11-20T12:01:20Z') },
      { from: at('2026-11-20T12:00:00Z'), to: at('2026-11-20T12:30:00Z') },
      { from: at('2026-11-20T06:00:00.001Z'), to: NOW },
      { from: NOW, to: NOW },
    ].flatMap((w) => MACHINES.map((machine) => ({ machine, ...w })));
    const fast = await countSums(pool, windows);
    const raw = await countSums(pool, windows, { rollups: false });
    expect(fast).toEqual(raw);
    expect(fast.some((s) => s.good > 0)).toBe(true);
  });

  it('reads whole hours from the hour rollup, exactly: across hours, on them, across midnight', async () => {
    const windows = [
      { from: at('2026-11-20T08:59:30.125Z'), to: at('2026-11-20T11:00:30Z') },
      { from: at('2026-11-20T09:00:00Z'), to: at('2026-11-20T10:00:00Z') },
      { from: at('2026-11-20T09:30:00Z'), to: at('2026-11-20T10:30:00Z') },
      { from: at('2026-11-19T21:17:03Z'), to: at('2026-11-20T03:00:00Z') },
      { from: at('2026-11-19T20:00:00Z'), to: NOW },
    ].flatMap((w) => MACHINES.map((machine) => ({ machine, ...w })));
    const fast = await countSums(pool, windows);
    expect(fast).toEqual(await countSums(pool, windows, { rollups: false }));
    expect(fast.every((s) => s.good > 0)).toBe(true);
    const byHour = await countsByHour(pool, windows);
    expect(byHour).toEqual(await countsByHour(pool, windows, { rollups: false }));
    // The first window's hours: 08:00 (its last half minute), 09:00, 10:00, 11:00 (30 s).
    expect([...byHour[0]!.keys()]).toEqual(
      expect.arrayContaining([at('2026-11-20T09:00:00Z'), at('2026-11-20T10:00:00Z')]),
    );
    expect([...byHour[0]!.keys()].every((h) => h >= at('2026-11-20T08:00:00Z'))).toBe(true);
  });

  it('keeps the hour rollup equal to the raw rows after late, re-derived and withdrawn counts', async () => {
    // Withdrawn: counts deleted across an hour's end (the earlier tests inserted and updated).
    await pool.query(
      `DELETE FROM counts WHERE machine_id = 'm4' AND time >= '2026-11-20T10:40:00Z' AND time < '2026-11-20T11:20:00Z'`,
    );
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM (
         SELECT machine_id, takt_hour(time) AS bucket, sum(good) AS good, sum(reject) AS reject
           FROM counts GROUP BY 1, 2) raw
         FULL JOIN (SELECT * FROM counts_1h WHERE good <> 0 OR reject <> 0) h USING (machine_id, bucket)
        WHERE raw.good IS DISTINCT FROM h.good OR raw.reject IS DISTINCT FROM h.reject`,
    );
    expect(Number(rows[0]!.n)).toBe(0);
    const { rows: hours } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM counts_1h');
    expect(Number(hours[0]!.n)).toBeGreaterThan(MACHINES.length * 17);
  });
});
