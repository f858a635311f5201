import { plantModelSchema, type MachineSnapshot } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedOnly } from '../../src/consumers/live';
import { migrate } from '../../src/db/migrate';
import { applyPlantModel } from '../../src/plant';
import { writeBatch } from '../../src/pipeline/writer';
import { machineSnapshots } from '../../src/queries/machines';
import { createTestDatabase } from '../helpers/test-db';

/*
 * The live board's per-commit snapshot (docs/decisions.md "Issue 22 — per-commit work"): the
 * day's pieces from the minute rollups (the current minute's and those ahead of the clock too,
 * kept in the same transaction as the raw rows) are the raw sums exactly; the calendar is re-read when the plant model is loaded again; an update
 * carries only the machines that changed.
 */
let pool: pg.Pool;
const ZONE = 'Asia/Kolkata'; // +05:30: the plant's midnight is not a UTC hour
const MACHINES = ['m1', 'm2', 'm3'];

function plant(holidays: string[] = []) {
  return plantModelSchema.parse({
    site: { id: 'site-1', name: 'Site', timeZone: ZONE },
    lines: [
      {
        id: 'line-1',
        name: 'Line 1',
        machines: MACHINES.map((id) => ({ id, name: id, product: 'p' })),
      },
    ],
    products: [{ id: 'p', name: 'P', idealCycleMs: 20_000 }],
    shifts: [{ id: 'all', name: 'All day', start: '00:00', end: '00:00' }],
    holidays,
  });
}

/** The raw sums the board showed before the rollups: every count row since the day began. */
async function rawDay() {
  const { rows } = await pool.query<{ machine_id: string; good: string; reject: string }>(
    `SELECT machine_id, sum(good) AS good, sum(reject) AS reject FROM counts
      WHERE time >= date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1
      GROUP BY machine_id`,
    [ZONE],
  );
  return Object.fromEntries(
    rows.map((r) => [r.machine_id, { good: Number(r.good), reject: Number(r.reject) }]),
  );
}

async function boardDay() {
  const machines = await machineSnapshots(pool);
  return Object.fromEntries(
    machines
      .filter((m) => m.counts.good + m.counts.reject > 0)
      .map((m) => [m.id, { good: m.counts.good, reject: m.counts.reject }]),
  );
}

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_live_snap') });
  await migrate(pool, pino({ level: 'silent' }));
  await applyPlantModel(pool, plant());
});
afterAll(() => pool?.end());

describe('live snapshots', () => {
  it('counts of the day from rollups and raw rows equal the raw sums', async () => {
    // From two days ago to a minute ahead (an edge clock running fast), at odd milliseconds,
    // so yesterday, whole minutes of today, the current minute and the future all hold rows.
    await pool.query(
      `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject)
       SELECT now() - make_interval(secs => s) + interval '0.137 seconds', m, 0, 0,
              (s % 7)::int, (s % 11 = 0)::int
         FROM generate_series(-60, 2 * 86400, 97) AS s, unnest($1::text[]) AS m`,
      [MACHINES.slice(0, 2)],
    );
    // Rows in the current minute arriving after the rollup rows (a later batch).
    await pool.query(
      `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject)
       VALUES (now(), 'm1', 0, 0, 3, 1), (now() - interval '1 second', 'm2', 0, 0, 2, 0)`,
    );
    const raw = await rawDay();
    expect(Object.keys(raw).sort()).toEqual(['m1', 'm2']);
    expect(await boardDay()).toEqual(raw);
    // Re-derived counts (an UPDATE) and withdrawn ones (a DELETE) move both alike.
    await pool.query(`UPDATE counts SET good = good + 1 WHERE machine_id = 'm1' AND good = 2`);
    await pool.query(`DELETE FROM counts WHERE machine_id = 'm2' AND good = 5`);
    expect(await boardDay()).toEqual(await rawDay());
  });

  it('a plant model loaded again changes the calendar mode on the next snapshot', async () => {
    const before = await machineSnapshots(pool, ['m3']);
    expect(before[0]?.mode).toBe('production');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date());
    await applyPlantModel(pool, plant([today]));
    const after = await machineSnapshots(pool, ['m3']);
    expect(after[0]?.mode).toBe('no_shift');
    await applyPlantModel(pool, plant());
    expect((await machineSnapshots(pool, ['m3']))[0]?.mode).toBe('production');
  });

  it("shows each tag's newest value as its kind, with quality, unit and time", async () => {
    const ts = Date.now() - 5000;
    const readings = [
      { tag: 'temp', value: 21.5, ts, quality: 'good', unit: '°C' },
      { tag: 'door', value: true, ts: ts + 1, quality: 'uncertain' },
      { tag: 'recipe', value: 'X-12', ts: ts + 2, quality: 'good' },
      { tag: 'speed', value: null, ts: ts + 3, quality: 'bad' },
    ] as const;
    await writeBatch(pool, [
      {
        kind: 'message',
        message: {
          site: 'site-1',
          gatewayId: 'gw-v',
          machineId: 'm3',
          kind: 'metrics',
          payload: { v: 1, seq: 1, ts, readings: readings.map((r) => ({ ...r })) },
        },
      },
    ]);
    const [m3] = await machineSnapshots(pool, ['m3']);
    const at = (ms: number) => new Date(ms).toISOString();
    expect(m3?.values).toEqual({
      temp: { value: 21.5, unit: '°C', quality: 'good', at: at(ts) },
      door: { value: true, unit: null, quality: 'uncertain', at: at(ts + 1) },
      recipe: { value: 'X-12', unit: null, quality: 'good', at: at(ts + 2) },
      speed: { value: null, unit: null, quality: 'bad', at: at(ts + 3) },
    });
  });

  it('an update carries only the machines whose snapshot changed', async () => {
    const sent = new Map<string, string>();
    const first = await machineSnapshots(pool);
    expect(changedOnly(first, sent).map((m) => m.id)).toEqual(first.map((m) => m.id));
    // Nothing changed: nothing to send.
    expect(changedOnly(await machineSnapshots(pool), sent)).toEqual([]);
    await pool.query(
      `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject)
       VALUES (now(), 'm3', 0, 0, 4, 0)`,
    );
    const next = changedOnly(await machineSnapshots(pool), sent);
    expect(next.map((m) => m.id)).toEqual(['m3']);
    // The screen that applies the diffs holds what a full snapshot would show.
    const board = new Map<string, MachineSnapshot>(first.map((m) => [m.id, m]));
    for (const m of next) board.set(m.id, m);
    expect([...board.values()]).toEqual(await machineSnapshots(pool));
  });
});
