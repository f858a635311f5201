import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, topics, type DecodedMessage } from '@takt/protocol';
import { migrate, startEmbeddedPostgres, writeBatch } from '@takt/ingest';
import { freePort } from '@takt/sim';
import pg from 'pg';
import { pino } from 'pino';
import { benchHistorian } from './historian';
import { benchHotUpdates } from './ingest-hot';
import { benchEndToEnd } from './ingest-e2e';
import { benchSustained, sustainedOptions } from './ingest-sustained';
import { printTable } from './table';

const envInt = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number above 0`);
  return n;
};

const READINGS_PER_MESSAGE = 50;
const MESSAGES_PER_BATCH = 200; // 10,000 rows per batch
const BATCHES = 10;
const BASELINE_ROWS = 3000;
const NO_ROLLUPS = `CREATE OR REPLACE FUNCTION takt_rollup_add(buckets timestamptz[], machines text[], tags text[],
  mins float8[], maxs float8[], sums float8[], counts int8[], lasts float8[], last_times timestamptz[]) RETURNS void LANGUAGE sql AS 'SELECT'`;

function metricsMessage(seq: number, machine: string): { topic: string; payload: Buffer } {
  const ts = 1_795_000_000_000 + seq * 1000;
  const readings = Array.from({ length: READINGS_PER_MESSAGE }, (_, i) => ({
    tag: `tag_${i}`,
    value: Math.round(Math.sin(seq + i) * 1000) / 10,
    ts,
    quality: 'good',
  }));
  return {
    topic: topics.machine('bench', 'gw-bench', machine, 'metrics'),
    payload: Buffer.from(JSON.stringify({ v: 1, seq, ts, readings })),
  };
}

/**
 * Ingest's write path (decode + unnest batches vs one INSERT per row, with and without the
 * rollups), end to end through the broker vs raw COPY, the live latency, and the
 * historian over 30 days of 50 machines — all on one real PostgreSQL, in this run.
 * BENCH_GATEWAYS (10), BENCH_MESSAGES per gateway (1000, of 50 readings),
 * BENCH_HISTORY_INTERVAL_S (10: seconds between generated raw readings).
 * Then the sustained rate in separate processes (bench/ingest-sustained.ts; `--step-seconds N`,
 * `--steps 25000,50000,…`, `--writers 1,2` for a ladder per writer-lane count, `--sustained-only`
 * to skip the parts above).
 */
export async function benchIngest(argv: readonly string[] = []): Promise<Record<string, unknown>> {
  const options = sustainedOptions(argv);
  const dir = mkdtempSync(join(tmpdir(), 'takt-bench-pg-'));
  chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort() });
  const pool = new pg.Pool({ connectionString: await db.createDatabase('bench'), max: 2 });
  pool.on('error', (error) => console.warn(`bench pool: ${error.message}`));
  // The postmaster's pid: the first line of postmaster.pid (PostgreSQL's storage layout).
  const postgresPid = Number(
    readFileSync(join(db.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  // One ladder per writer-lane count, each on a fresh database; the figures are the last
  // ladder's (the default count), with every ladder's rate and its ratio to the first.
  const sustained = async () => {
    const runs: Record<string, unknown>[] = [];
    for (const writers of options.writers) {
      const url = await db.createDatabase(`bench_sustained_w${writers}`);
      runs.push(await benchSustained(url, postgresPid, options, writers));
    }
    const rate = (r: Record<string, unknown>) => r.sustainedPointsPerSec as number;
    const base = rate(runs[0]!);
    const byWriters = Object.fromEntries(runs.map((r) => [String(r.sustainedWriters), rate(r)]));
    if (runs.length > 1)
      console.log(
        `sustained by writer lanes: ${Object.entries(byWriters)
          .map(([w, v]) => `${w}: ${v}/s (${base > 0 ? (v / base).toFixed(2) : '—'}×)`)
          .join(', ')}`,
      );
    return { ...runs.at(-1)!, sustainedByWriters: byWriters };
  };
  try {
    if (argv.includes('--sustained-only')) return await sustained();
    await migrate(pool, pino({ level: 'silent' }));

    // Baseline: a row per round trip (what docs/decisions.md "Measured on these machines" warns against), autocommit.
    let t0 = performance.now();
    for (let i = 0; i < BASELINE_ROWS; i++) {
      await pool.query(
        'INSERT INTO samples (time, machine_id, tag, value, quality) VALUES ($1, $2, $3, $4, 0)',
        [new Date(1_700_000_000_000 + i), 'baseline', 'tag', i],
      );
    }
    const baselineRowsPerSec = BASELINE_ROWS / ((performance.now() - t0) / 1000);

    // Decode only (CPU): JSON.parse + zod validation of the same messages.
    const raw = Array.from({ length: MESSAGES_PER_BATCH * BATCHES }, (_, i) =>
      metricsMessage(i, `m${i % 20}`),
    );
    t0 = performance.now();
    const decoded: DecodedMessage[] = raw.map(({ topic, payload }) => {
      const result = decodeMessage(topic, payload);
      if (!result.ok) throw new Error(result.reason);
      return result.message;
    });
    const decodeMsgsPerSec = raw.length / ((performance.now() - t0) / 1000);

    // The rollups' cost: the same batches without them (other machines), takt_rollup_add
    // (051_batch_rollups.postgres.sql) swapped for a no-op meanwhile.
    const rollupAdd = await pool.query<{ def: string }>(
      "SELECT pg_get_functiondef('takt_rollup_add'::regproc) AS def",
    );
    await pool.query(NO_ROLLUPS);
    const other = raw.map(({ topic, payload }) => {
      const result = decodeMessage(
        topic.replace('gw-bench', 'gw-norollup').replace(/\/m(\d+)\/metrics$/, '/nr-$1/metrics'),
        payload,
      );
      if (!result.ok) throw new Error(result.reason);
      return result.message;
    });
    t0 = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const slice = other.slice(b * MESSAGES_PER_BATCH, (b + 1) * MESSAGES_PER_BATCH);
      await writeBatch(
        pool,
        slice.map((message) => ({ kind: 'message', message })),
      );
    }
    const noRollupRowsPerSec =
      (MESSAGES_PER_BATCH * BATCHES * READINGS_PER_MESSAGE) / ((performance.now() - t0) / 1000);
    await pool.query(rollupAdd.rows[0]!.def);

    // The real path: writeBatch (dedupe + samples + latest values + rollups) in 10k-row batches.
    t0 = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const slice = decoded.slice(b * MESSAGES_PER_BATCH, (b + 1) * MESSAGES_PER_BATCH);
      await writeBatch(
        pool,
        slice.map((message) => ({ kind: 'message', message })),
      );
      process.stdout.write(`\r  batch ${b + 1}/${BATCHES}`);
    }
    process.stdout.write('\n');
    const rows = MESSAGES_PER_BATCH * BATCHES * READINGS_PER_MESSAGE;
    const batchedRowsPerSec = rows / ((performance.now() - t0) / 1000);
    const stored = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM samples WHERE machine_id <> 'baseline' AND machine_id NOT LIKE 'nr-%'",
    );
    if (Number(stored.rows[0]!.n) !== rows)
      throw new Error(`stored ${stored.rows[0]!.n} rows, expected ${rows}`);

    const e2e = await benchEndToEnd(await db.createDatabase('bench_e2e'), {
      gateways: envInt('BENCH_GATEWAYS', 10),
      messagesPerGateway: envInt('BENCH_MESSAGES', 1000),
    });
    const hot = await benchHotUpdates((name) => db.createDatabase(name));
    const history = await benchHistorian(
      await db.createDatabase('bench_history'),
      envInt('BENCH_HISTORY_INTERVAL_S', 10),
    );

    const result = {
      ...(await sustained()),
      rows,
      rowsPerBatch: MESSAGES_PER_BATCH * READINGS_PER_MESSAGE,
      batchedRowsPerSec: Math.round(batchedRowsPerSec),
      batchedNoRollupRowsPerSec: Math.round(noRollupRowsPerSec),
      rollupCostShare: Number((1 - batchedRowsPerSec / noRollupRowsPerSec).toFixed(2)),
      baselineRowsPerSec: Math.round(baselineRowsPerSec),
      speedupVsPerRow: Number((batchedRowsPerSec / baselineRowsPerSec).toFixed(1)),
      decodeMsgsPerSec: Math.round(decodeMsgsPerSec),
      decodeReadingsPerSec: Math.round(decodeMsgsPerSec * READINGS_PER_MESSAGE),
      ...e2e,
      ...hot,
      ...history,
    };
    const holds = result.ratio >= 0.5;
    printTable([
      ['measure', 'value', 'note'],
      [
        'batched write (writeBatch)',
        `${result.batchedRowsPerSec} rows/s`,
        `${result.rowsPerBatch} rows/batch, dedupe + latest values + rollups`,
      ],
      [
        'the same without rollups',
        `${result.batchedNoRollupRowsPerSec} rows/s`,
        `the rollups cost ${Math.round(result.rollupCostShare * 100)} % of the write`,
      ],
      [
        'baseline: INSERT per row',
        `${result.baselineRowsPerSec} rows/s`,
        'one round trip and commit per row',
      ],
      ['ratio', `${result.speedupVsPerRow}x`, 'batched / per row'],
      [
        'small batches, HOT room (053)',
        `${result.hotRowsPerSec} rows/s`,
        `${Math.round(result.hotUpdateShare * 100)} % of updates on their page`,
      ],
      [
        'the same, pages full',
        `${result.hotBaselineRowsPerSec} rows/s`,
        `${Math.round(result.hotBaselineUpdateShare * 100)} % on their page; ${(result.hotRowsPerSec / result.hotBaselineRowsPerSec).toFixed(2)}× same run`,
      ],
      [
        'decode + validate',
        `${result.decodeReadingsPerSec} readings/s`,
        `${result.decodeMsgsPerSec} msgs/s of ${READINGS_PER_MESSAGE} readings`,
      ],
      [
        'end to end (e2ePointsPerSec)',
        `${result.e2ePointsPerSec} points/s`,
        `${result.gateways} gateways -> aedes -> ingest -> PostgreSQL, ${result.points} points`,
      ],
      [
        'raw COPY (rawCopyPointsPerSec)',
        `${result.rawCopyPointsPerSec} points/s`,
        'the same rows into the same table, 10k rows a COPY',
      ],
      ['ratio', `${result.ratio}`, 'end to end / raw COPY'],
      [
        'publish -> socket.io p50 / p99',
        `${result.latencyP50Ms} / ${result.latencyP99Ms} ms`,
        `at ${result.latencyRatePointsPerSec} points/s, ${result.latencySamples} messages`,
      ],
      [
        'historian p95, rollups',
        `${result.historianRollupP95Ms} ms`,
        `30 days of ${result.historyMachines} machines, 1000 and 4000 points (engine ${result.engine})`,
      ],
      [
        'historian p95, raw',
        `${result.historianRawP95Ms} ms`,
        `the same hourly chart from raw rows, one every ${result.historyRawIntervalS} s`,
      ],
    ]);
    console.log(
      `ingest ${holds ? 'holds' : 'does NOT hold'} at least half the raw COPY rate end to end ` +
        `(${result.e2ePointsPerSec} vs ${result.rawCopyPointsPerSec} points/s, ratio ${result.ratio})`,
    );
    return result;
  } finally {
    await pool.end();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
