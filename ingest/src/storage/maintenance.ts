import type { Pool } from 'pg';
import { partitionWindow } from '../domain/time-horizon';
import type { StorageEngine } from './engine';
import { ROLLUP_REFRESH_DAYS, type StorageSettings } from './settings';

const DAY_MS = 86_400_000;

/** The partitioned series tables of the plain-PostgreSQL path and their partition sizes. */
export const SERIES_TABLES = [
  { table: 'samples', unit: 'day', level: 'raw' },
  { table: 'samples_1m', unit: 'month', level: 'minute' },
  { table: 'samples_1h', unit: 'year', level: 'hour' },
] as const;

/**
 * Plain PostgreSQL: partitions for today and the next days, so that writers rarely make one.
 * Rows in samples_default get their own partition only inside `window` when one is given
 * (issue 6: a row stamped 9999 must not make `samples_p99991231`).
 */
export async function ensurePartitionsAhead(
  pool: Pool,
  aheadDays: number,
  now = Date.now(),
  window?: { fromMs: number; toMs: number },
): Promise<number> {
  const times = Array.from({ length: aheadDays + 1 }, (_, i) => new Date(now + i * DAY_MS));
  let made = 0;
  for (const { table, unit } of SERIES_TABLES) {
    const { rows } = await pool.query<{ made: number }>(
      'SELECT takt_ensure_partitions($1, $2, $3::timestamptz[]) AS made',
      [table, unit, times],
    );
    made += rows[0]!.made;
  }
  // Rows that reached the default partition (written by other means) go to their own.
  const { rows } = await pool.query<{ made: number }>(
    `SELECT takt_ensure_partitions('samples', 'day',
              ARRAY(SELECT DISTINCT date_trunc('hour', time) FROM samples_default
                     WHERE $1::timestamptz IS NULL OR time >= $1 AND time < $2)) AS made`,
    [window ? new Date(window.fromMs) : null, window ? new Date(window.toMs) : null],
  );
  return made + rows[0]!.made;
}

/** Plain PostgreSQL: drops whole partitions past their retention; returns their names. */
export async function dropExpiredPartitions(
  pool: Pool,
  retention: StorageSettings['retentionDays'],
  now = Date.now(),
): Promise<string[]> {
  const dropped: string[] = [];
  for (const { table, unit, level } of SERIES_TABLES) {
    if (retention[level] === 0) continue;
    const { rows } = await pool.query<{ dropped: string[] }>(
      'SELECT takt_drop_partitions($1, $2, $3) AS dropped',
      [table, unit, new Date(now - retention[level] * DAY_MS)],
    );
    dropped.push(...rows[0]!.dropped);
  }
  return dropped;
}

type Query = (text: string, values?: unknown[]) => Promise<unknown>;

/**
 * TimescaleDB: compression, continuous-aggregate refresh and retention policies from the
 * settings. Replaced at every start, so that a changed setting takes effect; the extension's
 * background jobs run them.
 */
export async function applyTimescalePolicies(
  query: Query,
  settings: Pick<StorageSettings, 'retentionDays' | 'compressAfterDays'>,
): Promise<void> {
  await query("SELECT remove_compression_policy('samples', if_exists => true)");
  await query("SELECT add_compression_policy('samples', make_interval(days => $1::int))", [
    settings.compressAfterDays,
  ]);
  const refresh = [
    { view: 'samples_1m', end: '1 minute', every: '1 minute' },
    { view: 'samples_1h', end: '1 hour', every: '30 minutes' },
  ];
  for (const { view, end, every } of refresh) {
    await query(`SELECT remove_continuous_aggregate_policy('${view}', if_exists => true)`);
    await query(
      `SELECT add_continuous_aggregate_policy('${view}', start_offset => make_interval(days => $1::int),
              end_offset => INTERVAL '${end}', schedule_interval => INTERVAL '${every}')`,
      [ROLLUP_REFRESH_DAYS],
    );
  }
  for (const { table, level } of SERIES_TABLES) {
    await query(`SELECT remove_retention_policy('${table}', if_exists => true)`);
    if (settings.retentionDays[level] > 0)
      await query(`SELECT add_retention_policy('${table}', make_interval(days => $1::int))`, [
        settings.retentionDays[level],
      ]);
  }
}

/** One maintenance round for the engine in use (hourly, and at start). */
export async function maintainStorage(
  pool: Pool,
  engine: StorageEngine,
  settings: StorageSettings,
): Promise<{ made: number; dropped: string[] }> {
  if (engine === 'timescaledb') return { made: 0, dropped: [] }; // its own jobs do it
  const now = Date.now();
  const raw = settings.retentionDays.raw;
  // Kept forever: any past day is inside retention (the wire allows nothing before 1970).
  const window = partitionWindow(
    now,
    { aheadMs: 0, maxAgeMs: raw > 0 ? raw * DAY_MS : now },
    settings.partitionsAheadDays,
  );
  const made = await ensurePartitionsAhead(pool, settings.partitionsAheadDays, now, window);
  const dropped = await dropExpiredPartitions(pool, settings.retentionDays);
  return { made, dropped };
}
