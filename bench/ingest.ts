import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, topics, type DecodedMessage } from '@takt/protocol';
import { migrate, startEmbeddedPostgres, writeBatch } from '@takt/ingest';
import { freePort } from '@takt/sim';
import pg from 'pg';
import { pino } from 'pino';
import { printTable } from './table';

const READINGS_PER_MESSAGE = 50;
const MESSAGES_PER_BATCH = 200; // 10,000 rows per batch
const BATCHES = 10;
const BASELINE_ROWS = 3000;

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

/** Ingest's write path: decode + unnest batches vs one INSERT per row, on a real PostgreSQL. */
export async function benchIngest(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'takt-bench-pg-'));
  chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort() });
  const pool = new pg.Pool({ connectionString: await db.createDatabase('bench'), max: 2 });
  try {
    await migrate(pool, pino({ level: 'silent' }));

    // Baseline: a row per round trip (what DESIGN warns against), autocommit.
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

    // The real path: writeBatch (dedupe + samples + latest values) in 10k-row batches.
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
      "SELECT count(*) AS n FROM samples WHERE machine_id <> 'baseline'",
    );
    if (Number(stored.rows[0]!.n) !== rows)
      throw new Error(`stored ${stored.rows[0]!.n} rows, expected ${rows}`);

    const result = {
      rows,
      rowsPerBatch: MESSAGES_PER_BATCH * READINGS_PER_MESSAGE,
      batchedRowsPerSec: Math.round(batchedRowsPerSec),
      baselineRowsPerSec: Math.round(baselineRowsPerSec),
      speedupVsPerRow: Number((batchedRowsPerSec / baselineRowsPerSec).toFixed(1)),
      decodeMsgsPerSec: Math.round(decodeMsgsPerSec),
      decodeReadingsPerSec: Math.round(decodeMsgsPerSec * READINGS_PER_MESSAGE),
    };
    printTable([
      ['measure', 'value', 'note'],
      [
        'batched write (writeBatch)',
        `${result.batchedRowsPerSec} rows/s`,
        `${result.rowsPerBatch} rows/batch, dedupe + latest values included`,
      ],
      [
        'baseline: INSERT per row',
        `${result.baselineRowsPerSec} rows/s`,
        'one round trip and commit per row',
      ],
      ['ratio', `${result.speedupVsPerRow}x`, 'batched / per row'],
      [
        'decode + validate',
        `${result.decodeReadingsPerSec} readings/s`,
        `${result.decodeMsgsPerSec} msgs/s of ${READINGS_PER_MESSAGE} readings`,
      ],
    ]);
    return result;
  } finally {
    await pool.end();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
