import { plantModelSchema } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../ingest/src/db/migrate';
import { applyPlantModel } from '../ingest/src/plant';
import { countSums } from '../ingest/src/queries/count-sums';
import { HISTORY_HOURS, storePlantHistory } from '../bench/plant-history';
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
  });
});
