import { readFileSync } from 'node:fs';
import type { DecodedMessage } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrationFiles, migrationsDir } from '../../src/db/migrate';
import { writeBatch } from '../../src/pipeline/writer';
import { dropExpiredPartitions, ensurePartitionsAhead } from '../../src/storage/maintenance';
import { createTestDatabase } from '../helpers/test-db';

const silent = pino({ level: 'silent' });
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);

let seq = 0;
const metrics = (machineId: string, readings: [string, number, number][]): DecodedMessage => ({
  site: 's1',
  gatewayId: 'gw1',
  machineId,
  kind: 'metrics',
  payload: {
    v: 1,
    seq: ++seq,
    ts: readings[0]![1],
    readings: readings.map(([tag, ts, value]) => ({ tag, ts, value, quality: 'good' })),
  },
});
const write = (...messages: DecodedMessage[]) =>
  writeBatch(
    pool,
    messages.map((message) => ({ kind: 'message' as const, message })),
  );

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_storage') });
  // A database from before the storage work: 001–004 applied, samples already stored.
  await pool.query(
    'CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  for (const file of migrationFiles('postgres').filter((f) => f < '005')) {
    await pool.query(readFileSync(new URL(file, migrationsDir), 'utf8'));
    await pool.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
  }
  await pool.query(
    `INSERT INTO samples (time, machine_id, tag, value, quality)
     SELECT to_timestamp($1 / 1000.0) + make_interval(secs => i), 'old', 't', i, 0
       FROM generate_series(0, 119) i`,
    [T0 - 10 * DAY],
  );
  await migrate(pool, silent);
});
afterAll(() => pool.end());

describe('plain-PostgreSQL storage', () => {
  it('records the engine and applies only its own migration', async () => {
    const engine = await pool.query('SELECT engine FROM takt_storage');
    expect(engine.rows).toEqual([{ engine: 'postgres' }]);
    const applied = await pool.query<{ name: string }>(
      'SELECT name FROM schema_migrations ORDER BY name',
    );
    expect(applied.rows.map((r) => r.name)).toContain('005_storage.postgres.sql');
    expect(applied.rows.map((r) => r.name)).not.toContain('005_storage.timescaledb.sql');
  });

  it('moves the rows stored before into day partitions, and into the rollups', async () => {
    const { rows } = await pool.query<{ part: string; n: string }>(
      `SELECT tableoid::regclass::text AS part, count(*) AS n FROM samples
        WHERE machine_id = 'old' GROUP BY 1`,
    );
    expect(rows).toEqual([{ part: 'samples_p20261110', n: '120' }]);
    const minutes = await pool.query(
      `SELECT min, max, sum, count, last FROM samples_1m WHERE machine_id = 'old' ORDER BY bucket`,
    );
    expect(minutes.rows).toEqual([
      { min: 0, max: 59, sum: 1770, count: '60', last: 59 },
      { min: 60, max: 119, sum: 5370, count: '60', last: 119 },
    ]);
  });

  it('keeps the rollups equal to the raw samples across batches and late data', async () => {
    const at = (s: number) => T0 + s * 1000;
    await write(
      metrics('m1', [
        ['a', at(0), 5],
        ['a', at(10), 7],
        ['a', at(70), 1],
      ]),
    );
    await write(metrics('m1', [['a', at(30), -2]]), metrics('m1', [['a', at(3600), 4]]));
    await write(metrics('m1', [['a', at(5), 100]])); // late: older than what is stored
    const expected = await pool.query(
      `SELECT date_bin('1 minute', time, TIMESTAMPTZ 'epoch') AS bucket, min(value), max(value),
              sum(value), count(value), (array_agg(value ORDER BY time DESC))[1] AS last
         FROM samples WHERE machine_id = 'm1' GROUP BY 1 ORDER BY 1`,
    );
    const minutes = await pool.query(
      `SELECT bucket, min, max, sum, count, last FROM samples_1m WHERE machine_id = 'm1' ORDER BY bucket`,
    );
    expect(minutes.rows).toEqual(expected.rows);
    expect(minutes.rows[0]).toMatchObject({ min: -2, max: 100, count: '4', last: -2 });
    const hours = await pool.query(
      `SELECT bucket, min, max, sum, count, last FROM samples_1h WHERE machine_id = 'm1' ORDER BY bucket`,
    );
    expect(hours.rows).toEqual([
      { bucket: new Date(T0), min: -2, max: 100, sum: 111, count: '5', last: 1 },
      { bucket: new Date(T0 + 3_600_000), min: 4, max: 4, sum: 4, count: '1', last: 4 },
    ]);
  });

  it('leaves bad-quality and text readings out of the rollups', async () => {
    await writeBatch(pool, [
      {
        kind: 'message',
        message: {
          site: 's1',
          gatewayId: 'gw1',
          machineId: 'm2',
          kind: 'metrics',
          payload: {
            v: 1,
            seq: ++seq,
            ts: T0,
            readings: [
              { tag: 'b', ts: T0, value: 3, quality: 'good' },
              { tag: 'b', ts: T0 + 1, value: 999, quality: 'bad' },
              { tag: 'b', ts: T0 + 2, value: 'text', quality: 'good' },
            ],
          },
        },
      },
    ]);
    const { rows } = await pool.query(
      "SELECT max, count, last FROM samples_1m WHERE machine_id = 'm2'",
    );
    expect(rows).toEqual([{ max: 3, count: '1', last: 3 }]);
  });

  it('makes the partition a replay of old data needs, and stores it', async () => {
    const old = Date.UTC(2021, 2, 3, 12);
    await write(metrics('m3', [['a', old, 42]]));
    const { rows } = await pool.query(
      "SELECT tableoid::regclass::text AS part, value FROM samples WHERE machine_id = 'm3'",
    );
    expect(rows).toEqual([{ part: 'samples_p20210303', value: 42 }]);
    const rollup = await pool.query(
      "SELECT tableoid::regclass::text AS part FROM samples_1h WHERE machine_id = 'm3'",
    );
    expect(rollup.rows).toEqual([{ part: 'samples_1h_p2021' }]);
  });

  it('keeps a row written without its partition, and moves it when the partition is made', async () => {
    const at = Date.UTC(2024, 5, 6, 7);
    await pool.query(
      "INSERT INTO samples (time, machine_id, tag, value, quality) VALUES ($1, 'm4', 'a', 8, 0)",
      [new Date(at)],
    );
    // A writer other than ingest's adds its rows to the rollups itself (051_batch_rollups).
    await pool.query('SELECT takt_rollup_rebuild($1, $1)', [new Date(at)]);
    const where = () =>
      pool.query("SELECT tableoid::regclass::text AS part FROM samples WHERE machine_id = 'm4'");
    expect((await where()).rows).toEqual([{ part: 'samples_default' }]);
    await ensurePartitionsAhead(pool, 0, Date.UTC(2026, 10, 23));
    expect((await where()).rows).toEqual([{ part: 'samples_p20240606' }]);
    const rollup = await pool.query("SELECT count FROM samples_1m WHERE machine_id = 'm4'");
    expect(rollup.rows).toEqual([{ count: '1' }]); // counted once, when it was written
  });

  it('makes partitions ahead and drops whole partitions past retention', async () => {
    const now = Date.UTC(2026, 10, 23, 12);
    await ensurePartitionsAhead(pool, 2, now);
    const parts = async () =>
      (
        await pool.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent IN ('samples'::regclass, 'samples_1m'::regclass, 'samples_1h'::regclass)
            ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
    expect(await parts()).toEqual(
      expect.arrayContaining([
        'samples_p20261123',
        'samples_p20261124',
        'samples_p20261125',
        'samples_1m_p202611',
        'samples_1h_p2026',
      ]),
    );
    const dropped = await dropExpiredPartitions(pool, { raw: 30, minute: 365, hour: 0 }, now);
    // Raw: the 2021 replay is past 30 days, 10 Nov is not; minute rollups: 2021 past a year.
    expect(dropped.sort()).toEqual([
      'samples_1m_p202103',
      'samples_1m_p202406',
      'samples_p20210303',
      'samples_p20240606',
    ]);
    expect(await parts()).toEqual(
      expect.arrayContaining(['samples_p20261110', 'samples_1h_p2021']),
    );
    const left = await pool.query("SELECT count(*) AS n FROM samples WHERE machine_id = 'm3'");
    expect(left.rows).toEqual([{ n: '0' }]);
  });

  it('makes no partition outside the window for a row left in samples_default (issue 15)', async () => {
    const now = Date.UTC(2026, 10, 23, 12);
    await pool.query(
      "INSERT INTO samples (time, machine_id, tag, value, quality) VALUES ('9999-12-31 12:00Z', 'm9', 'a', 1, 0)",
    );
    await ensurePartitionsAhead(pool, 2, now, { fromMs: now - 31 * DAY, toMs: now + 3 * DAY });
    const { rows } = await pool.query(
      "SELECT to_regclass('samples_p99991231') AS part, (SELECT count(*) FROM samples_default WHERE machine_id = 'm9') AS waiting",
    );
    expect(rows).toEqual([{ part: null, waiting: '1' }]);
  });

  it('refuses to switch a database set up for plain PostgreSQL to TimescaleDB', async () => {
    await expect(migrate(pool, silent, { engine: 'timescaledb' })).rejects.toThrow(
      /set up for postgres, TAKT_STORAGE_ENGINE asks for timescaledb/,
    );
  });

  it('says why TimescaleDB cannot be used when it is asked for on a new database', async () => {
    const fresh = new pg.Pool({ connectionString: await createTestDatabase('takt_storage_ts') });
    try {
      await expect(migrate(fresh, silent, { engine: 'timescaledb' })).rejects.toThrow(
        /storage engine: TimescaleDB asked for but extension not available/,
      );
    } finally {
      await fresh.end();
    }
  });
});
