import { plantModelSchema } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../ingest/src/db/migrate';
import { applyPlantModel } from '../ingest/src/plant';
import { countSums } from '../ingest/src/queries/count-sums';
import { HISTORY_HOURS, storePlantHistory } from '../bench/plant-history';
import { walCounters, walFigures } from '../bench/plant-stats';
import { createTestDatabase } from './helpers/db';

/* The plant bench's day of history (bench/plant-history.ts), in a real PostgreSQL. */
let pool: pg.Pool;
const MACHINES = [
  { id: 'm-1', gateway: 'gw-1' },
  { id: 'm-2', gateway: 'gw-1' },
];

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_bench_history') });
  await migrate(pool, pino({ level: 'silent' }));
  await applyPlantModel(
    pool,
    plantModelSchema.parse({
      site: { id: 'site-1', name: 'Site', timeZone: 'Asia/Shanghai' },
      lines: [
        { id: 'line-1', name: 'Line 1', machines: MACHINES.map((m) => ({ ...m, name: m.id })) },
      ],
    }),
  );
});
afterAll(() => pool?.end());

describe('the plant bench history', () => {
  it('stores a count a minute, a stop an hour, and the machines monitored from its start', async () => {
    const now = Date.parse('2026-12-07T08:30:20Z');
    const rows = await storePlantHistory(pool, MACHINES, now);
    expect(rows).toBe(MACHINES.length * HISTORY_HOURS * 60);
    const from = Date.parse('2026-12-06T08:30:00Z');
    const { rows: machines } = await pool.query<{ id: string; first_data_at: Date }>(
      'SELECT id, first_data_at FROM machines ORDER BY id',
    );
    expect(machines.map((m) => m.first_data_at.getTime())).toEqual([from, from]);
    const { rows: stops } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM machine_states WHERE machine_id = 'm-1' AND state = 'stopped'`,
    );
    expect(Number(stops[0]!.n)).toBe(HISTORY_HOURS);
    // What the reports read from the hour and minute rollups is the raw rows' sum.
    const windows = MACHINES.map((m) => ({ machine: m.id, from, to: now }));
    const sums = await countSums(pool, windows);
    expect(sums).toEqual(await countSums(pool, windows, { rollups: false }));
    expect(sums[0]).toEqual({ good: 60 * HISTORY_HOURS * 60, reject: HISTORY_HOURS * 4 });
    // Vacuumed and analysed once stored, so that autovacuum has nothing of it left to do later.
    const { rows: chores } = await pool.query<{ relname: string }>(
      `SELECT relname FROM pg_stat_user_tables
        WHERE relname IN ('machine_states', 'machines') AND last_vacuum IS NOT NULL
          AND last_analyze IS NOT NULL ORDER BY relname`,
    );
    expect(chores.map((r) => r.relname)).toEqual(['machine_states', 'machines']);
  });

  it("reads PostgreSQL's WAL counters, and the figures between two readings", async () => {
    // One connection: a backend adds its WAL to pg_stat_wal when it flushes its statistics,
    // which pg_stat_force_next_flush makes happen at the end of that statement.
    const client = await pool.connect();
    try {
      const before = await walCounters(client);
      await client.query('CREATE TABLE wal_probe AS SELECT g FROM generate_series(1, 10000) g');
      await client.query('SELECT pg_stat_force_next_flush()');
      const after = await walCounters(client);
      expect(after.bytes - before.bytes).toBeGreaterThan(10000 * 28); // a heap tuple's size
      expect(after.checkpoints).toBeGreaterThanOrEqual(before.checkpoints);
    } finally {
      await client.query('DROP TABLE IF EXISTS wal_probe');
      client.release();
    }
    const figures = walFigures(
      { atMs: 0, bytes: 0, fullPageImages: 0, checkpoints: 1 },
      { atMs: 2000, bytes: 9_000_000, fullPageImages: 400, checkpoints: 2 },
    );
    expect(figures).toEqual({ mbPerSec: 4.5, fullPageImagesPerSec: 200, checkpoints: 1 });
  });
});
