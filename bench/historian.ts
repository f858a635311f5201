import { migrate, planHistory, readHistory, storageEngine } from '@takt/ingest';
import pg from 'pg';
import { pino } from 'pino';

const DAY_MS = 86_400_000;
const MACHINES = 50;
const DAYS = 30;

export interface HistorianResult {
  engine: string;
  historyMachines: number;
  historyDays: number;
  historyRawIntervalS: number;
  historyRawRows: number;
  historyGenerateMs: number;
  historianRollupP50Ms: number;
  historianRollupP95Ms: number;
  historianRawP50Ms: number;
  historianRawP95Ms: number;
}

const pct = (sorted: number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * 30 days of history for 50 machines, generated in SQL (one tag a machine, a reading every
 * `rawIntervalS` seconds), its rollups made as ingest's would be; then the same
 * 30-day chart read from the rollups (as the API does) and from raw samples (what it refuses).
 */
export async function benchHistorian(
  databaseUrl: string,
  rawIntervalS: number,
): Promise<HistorianResult> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // A closing connection may hear the server stop after pool.end(): expected, not a failure.
  pool.on('error', (error) => console.warn(`historian pool: ${error.message}`));
  try {
    await migrate(pool, pino({ level: 'silent' }));
    const engine = await storageEngine(pool);
    const end = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const start = end - DAYS * DAY_MS;
    await pool.query(
      `INSERT INTO machines (id, name) SELECT 'h' || i, 'h' || i FROM generate_series(1, $1::int) i`,
      [MACHINES],
    );
    const t0 = performance.now();
    for (let d = 0; d < DAYS; d++) {
      const from = new Date(start + d * DAY_MS);
      await pool.query("SELECT takt_ensure_partitions('samples', 'day', ARRAY[$1::timestamptz])", [
        from,
      ]);
      await pool.query(
        `INSERT INTO samples (time, machine_id, tag, value, quality)
         SELECT t, 'h' || m, 'temp', 20 + m + 5 * sin(extract(epoch FROM t) / 3600), 0
           FROM generate_series($1::timestamptz, $1::timestamptz + INTERVAL '1 day' - make_interval(secs => $2),
                                make_interval(secs => $2)) t,
                generate_series(1, $3::int) m`,
        [from, rawIntervalS, MACHINES],
      );
      // Written by hand, not by ingest's writer: the day's rollups (051_batch_rollups).
      if (engine === 'postgres')
        await pool.query("SELECT takt_rollup_rebuild($1, $1::timestamptz + INTERVAL '1 day')", [
          from,
        ]);
      process.stdout.write(`\r  history: day ${d + 1}/${DAYS}`);
    }
    process.stdout.write('\n');
    if (engine === 'timescaledb') {
      await pool.query("CALL refresh_continuous_aggregate('samples_1m', NULL, NULL)");
      await pool.query("CALL refresh_continuous_aggregate('samples_1h', NULL, NULL)");
    }
    await pool.query('ANALYZE');
    const historyGenerateMs = performance.now() - t0;
    const rawRows = (MACHINES * DAYS * DAY_MS) / 1000 / rawIntervalS;

    // Rollups: every machine's 30 days at a chart width of 1000 (hourly) and 4000 (15 min).
    const rollup: number[] = [];
    for (const points of [1000, 4000])
      for (let m = 1; m <= MACHINES; m++) {
        const planned = planHistory({ fromMs: start, toMs: end, points, bucket: 'auto' });
        if (!planned.ok) throw new Error(planned.reason);
        rollup.push(await timed(() => readHistory(pool, `h${m}`, ['temp'], planned.plan)));
      }
    // Raw: the same hourly chart computed from raw samples (the API refuses this window).
    const raw: number[] = [];
    for (let m = 1; m <= 20; m++)
      raw.push(
        await timed(() =>
          readHistory(pool, `h${m}`, ['temp'], {
            fromMs: start,
            toMs: end,
            bucketS: 3600,
            source: 'samples',
          }),
        ),
      );
    rollup.sort((a, b) => a - b);
    raw.sort((a, b) => a - b);
    return {
      engine,
      historyMachines: MACHINES,
      historyDays: DAYS,
      historyRawIntervalS: rawIntervalS,
      historyRawRows: rawRows,
      historyGenerateMs: Math.round(historyGenerateMs),
      historianRollupP50Ms: pct(rollup, 50),
      historianRollupP95Ms: pct(rollup, 95),
      historianRawP50Ms: pct(raw, 50),
      historianRawP95Ms: pct(raw, 95),
    };
  } finally {
    await pool.end();
  }
}
