import { plantModelSchema } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { applyPlantModel } from '../../src/plant';
import { shiftOee } from '../../src/queries/boards';
import { createTestDatabase } from '../helpers/test-db';

/** GET /api/boards/shift's figures (issue 8) over a night and a day shift, on real PostgreSQL. */
let pool: pg.Pool;
const at = (iso: string) => Date.parse(iso);
const H = 3_600_000;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_boards') });
  await migrate(pool, pino({ level: 'silent' }));
  await applyPlantModel(
    pool,
    plantModelSchema.parse({
      site: { id: 'site-1', name: 'Site', timeZone: 'UTC' },
      lines: [{ id: 'line-1', name: 'Line 1', machines: [{ id: 'm1', name: 'M1', product: 'p' }] }],
      products: [{ id: 'p', name: 'P', idealCycleMs: 60_000 }],
      shifts: [
        { id: 'night', name: 'Night', start: '22:00', end: '06:00' },
        { id: 'day', name: 'Day', start: '06:00', end: '14:00' },
      ],
    }),
  );
  // Running from 20:00 to 16:00 the next day, the state re-sent every minute (the heartbeat).
  await pool.query(
    `INSERT INTO machine_states (time, machine_id, state, gateway_id, seq)
     SELECT t, 'm1', 'running', 'gw', row_number() OVER ()
       FROM generate_series('2026-11-19T20:00:00Z'::timestamptz, '2026-11-20T16:00:00Z', interval '1 minute') AS t`,
  );
  const counts: [string, number][] = [
    ['2026-11-19T21:30:00Z', 100], // before the night shift
    ['2026-11-19T23:30:00Z', 50], // night shift, before midnight
    ['2026-11-20T01:00:00Z', 30], // night shift, after midnight
    ['2026-11-20T02:00:00Z', 20],
    ['2026-11-20T07:00:00Z', 40], // day shift
    ['2026-11-20T14:30:00Z', 5], // after the day shift's end: still counts to it
  ];
  for (const [time, good] of counts)
    await pool.query(
      `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject) VALUES ($1, 'm1', 0, 0, $2, 0)`,
      [time, good],
    );
});

afterAll(async () => {
  await pool?.end();
});

describe('the plant board shift figures', () => {
  it('in a night shift: from its start, with the offset from the live count since midnight', async () => {
    const now = at('2026-11-20T03:00:00Z');
    const body = await shiftOee(pool, null, now);
    expect(body).toMatchObject({
      site: 'site-1',
      shift: { shift: 'night', from: '2026-11-19T22:00:00.000Z', to: '2026-11-20T06:00:00.000Z' },
      from: '2026-11-19T22:00:00.000Z',
      inShift: true,
      countsSince: '2026-11-20T00:00:00.000Z',
    });
    const m1 = body.machines[0]!;
    expect(m1.goodCount).toBe(100);
    expect(m1.plannedBusyMs).toBe(5 * H);
    // 50 before midnight: the live count since midnight (50) + 50 = the shift's 100.
    expect(m1.liveOffset).toBe(50);
    // 100 pieces of 60 s in 5 h running: A = 1, P = 100 / 300, Q = 1.
    expect(m1.availability).toBe(1);
    expect(m1.oee).toBeCloseTo(1 / 3, 6);
  });

  it('between shifts: the last shift from its start to now, no longer in shift', async () => {
    const now = at('2026-11-20T15:00:00Z');
    const body = await shiftOee(pool, 'site-1', now);
    expect(body).toMatchObject({
      shift: { shift: 'day' },
      from: '2026-11-20T06:00:00.000Z',
      inShift: false,
    });
    const m1 = body.machines[0]!;
    expect(m1.goodCount).toBe(45);
    // Planned time stops at the shift's end.
    expect(m1.plannedBusyMs).toBe(8 * H);
    // Since midnight 95 live; 50 of those were before the shift: offset −50, 95 − 50 = 45.
    expect(m1.liveOffset).toBe(-50);
  });
});
