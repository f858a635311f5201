import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBroker, type RunningBroker } from '@takt/broker';
import { topics } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { flushRollups, startRollupFlusher } from '../../src/pipeline/rollup-flusher';
import { writeBatch } from '../../src/pipeline/writer';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Ingest's pipeline leaves the rollups to the flusher (pipeline/rollup-flusher.ts,
 * docs/decisions.md "Issue 22 — rollups once a minute is over"): readings published with
 * Debian's mosquitto_pub are stored raw at once, and in samples_1m / samples_1h only when the
 * flusher runs — on its timer once their minute is over, and all of them when ingest stops.
 */
const log = pino({ level: 'silent' });
let broker: RunningBroker;
let databaseUrl: string;
let pool: pg.Pool;

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  databaseUrl = await createTestDatabase('takt_rollup_flusher');
  pool = new pg.Pool({ connectionString: databaseUrl });
});
afterAll(async () => {
  await pool?.end();
  await broker?.stop();
});

const count = async (sql: string, values: unknown[] = []) =>
  Number((await pool.query(sql, values)).rows[0].n);

async function until(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The minute rollup of one machine against its raw good readings, per minute. */
const minutesOf = (machine: string) =>
  Promise.all([
    pool.query(
      `SELECT bucket, tag, min, max, sum, count FROM samples_1m WHERE machine_id = $1 ORDER BY 1, 2`,
      [machine],
    ),
    pool.query(
      `SELECT date_bin('1 minute', time, TIMESTAMPTZ 'epoch') AS bucket, tag, min(value),
              max(value), sum(value), count(value)
         FROM samples WHERE machine_id = $1 AND quality = 0 GROUP BY 1, 2 ORDER BY 1, 2`,
      [machine],
    ),
  ]).then(([rollup, raw]) => ({ rollup: rollup.rows, raw: raw.rows }));

/** One deferred batch of one reading, as ingest's pipeline writes it. */
const writeDeferred = (
  gatewayId: string,
  machineId: string,
  seq: number,
  ts: number,
  value: number,
) =>
  writeBatch(
    pool,
    [
      {
        kind: 'message',
        message: {
          site: 'f-site',
          gatewayId,
          machineId,
          kind: 'metrics',
          payload: { v: 1, seq, ts, readings: [{ tag: 'temp', value, ts, quality: 'good' }] },
        },
      },
    ],
    { deferRollups: true },
  );

describe('the rollup flusher', () => {
  it('adds what ingest stored only when it runs, and once more when ingest stops', async () => {
    let ingest: RunningIngest | undefined = await startIngest({
      databaseUrl,
      mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-flusher' },
      http: { host: '127.0.0.1', port: 0 },
      log,
      rollupFlushMs: 600_000,
    });
    try {
      await ingest.subscribed;
      const now = Date.now();
      const readings = [0, 1, 2].map((i) => ({
        tag: 'temp',
        value: 20 + i,
        ts: now - 3000 + i * 1000,
        quality: 'good',
      }));
      await promisify(execFile)('mosquitto_pub', [
        ...['-h', '127.0.0.1', '-p', String(broker.port), '-i', 'mosquitto-flusher', '-q', '1'],
        ...['-t', topics.machine('f-site', 'gw-f', 'm-f', 'metrics')],
        ...['-m', JSON.stringify({ v: 1, seq: 1, ts: now, readings })],
      ]);
      await until(
        'the raw readings',
        async () =>
          (await count("SELECT count(*) AS n FROM samples WHERE machine_id = 'm-f'")) === 3,
      );
      expect((await minutesOf('m-f')).rollup).toEqual([]);
      expect(await count('SELECT count(*) AS n FROM rollup_marks')).toBe(1);

      await ingest.stop();
      ingest = undefined;
      const { rollup, raw } = await minutesOf('m-f');
      expect(rollup.length).toBeGreaterThan(0);
      expect(rollup).toEqual(raw);
      expect(await count("SELECT count(*) AS n FROM samples_1h WHERE machine_id = 'm-f'")).toBe(1);
      expect(await count('SELECT count(*) AS n FROM rollup_marks')).toBe(0);
    } finally {
      await ingest?.stop();
    }
  });

  it('adds a minute once it is over, on its timer, and keeps an open one as one mark', async () => {
    const over = Date.now() - 120_000; // a minute that has ended
    await writeDeferred('gw-t', 'm-t', 1, over, 7);
    // Two batches in a minute still open: 5 minutes ahead (an edge clock running fast), so it
    // cannot end while the test runs, whatever the second it starts at.
    const now = Date.now() + 5 * 60_000;
    await writeDeferred('gw-t', 'm-t', 2, now, 8);
    await writeDeferred('gw-t', 'm-t', 3, now + 1, 9);
    expect(await count('SELECT count(*) AS n FROM rollup_marks')).toBe(3);

    const flusher = startRollupFlusher({ pool, log, everyMs: 50 });
    try {
      await until(
        'the flusher',
        async () =>
          (await count("SELECT count(*) AS n FROM samples_1m WHERE machine_id = 'm-t'")) >= 1,
      );
    } finally {
      await flusher.stop();
    }
    // The open minute waited as one merged mark until the stop computed everything.
    const { rollup, raw } = await minutesOf('m-t');
    expect(rollup).toEqual(raw);
    expect(rollup).toHaveLength(
      Math.floor(now / 60_000) === Math.floor((now + 1) / 60_000) ? 2 : 3,
    );
    expect(await count('SELECT count(*) AS n FROM rollup_marks')).toBe(0);
  });

  it("merges the open minute's marks into one, computing nothing of it", async () => {
    const ts = Date.now() + 5 * 60_000; // a minute that stays open while the test runs
    for (let seq = 1; seq <= 3; seq += 1) await writeDeferred('gw-o', 'm-o', seq, ts + seq, seq);
    expect(await flushRollups(pool)).toBe(3);
    expect(await count('SELECT count(*) AS n FROM rollup_marks')).toBe(1);
    expect(await count("SELECT count(*) AS n FROM samples_1m WHERE machine_id = 'm-o'")).toBe(0);
    expect(await flushRollups(pool, true)).toBe(1);
    const { rollup, raw } = await minutesOf('m-o');
    expect(rollup).toEqual(raw);
    expect(rollup.length).toBeGreaterThan(0);
  });
});
