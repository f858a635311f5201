/**
 * The HOT-update room of migrations 053 (docs/decisions.md "Issue 22 — less work per
 * reading"), measured against its own undoing in the same run: two databases, one as
 * migrated, one with the fillfactors reset and takt_ensure_partitions as 005 made it, written
 * in alternating small batches (100 messages of 50 readings, 50 machines: about two readings
 * per series a batch, so the rollups and latest values are mostly updates). Reports each
 * one's write rate and the share of updates PostgreSQL could make on the same page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, type DecodedMessage } from '@takt/protocol';
import { migrate, writeBatch } from '@takt/ingest';
import pg from 'pg';
import { pino } from 'pino';

const ROUNDS = 160;
const MESSAGES = 100;
const MACHINES = 50;
const READINGS = 50;
const LIVE_TABLES = ['machine_values', 'machines', 'consumer_progress', 'gateways'];

/** takt_ensure_partitions as 005_storage.postgres.sql made it (no fillfactor). */
function function005(): string {
  const sql = readFileSync(
    join(import.meta.dirname, '../ingest/migrations/005_storage.postgres.sql'),
    'utf8',
  );
  const start = sql.indexOf('CREATE FUNCTION takt_ensure_partitions');
  const end = sql.indexOf('END $$;', start) + 'END $$;'.length;
  return sql.slice(start, end).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
}

function batch(round: number, firstSeq: number): DecodedMessage[] {
  const t0 = Date.now() - 3_600_000 + round * 1000;
  return Array.from({ length: MESSAGES }, (_, i) => {
    const seq = firstSeq + i;
    const ts = t0 + Math.floor(i / MACHINES) * 100;
    const readings = Array.from({ length: READINGS }, (_, r) => ({
      tag: `t${r}`,
      value: (seq * (r + 1)) % 1000,
      ts,
      quality: 'good',
    }));
    const decoded = decodeMessage(
      `takt/v1/bench/gw-hot-${i % 10}/m${i % MACHINES}/metrics`,
      Buffer.from(JSON.stringify({ v: 1, seq, ts, readings })),
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.message;
  });
}

export interface HotFigures {
  hotRowsPerSec: number;
  hotBaselineRowsPerSec: number;
  /** Updates PostgreSQL made on the same page (n_tup_hot_upd / n_tup_upd), as migrated. */
  hotUpdateShare: number;
  hotBaselineUpdateShare: number;
}

export async function benchHotUpdates(
  createDatabase: (name: string) => Promise<string>,
): Promise<HotFigures> {
  const log = pino({ level: 'silent' });
  const variants = ['room', 'full'] as const;
  const pools = {} as Record<(typeof variants)[number], pg.Pool>;
  try {
    for (const v of variants) {
      pools[v] = new pg.Pool({ connectionString: await createDatabase(`bench_hot_${v}`), max: 2 });
      await migrate(pools[v], log);
    }
    await pools.full.query(function005());
    for (const table of LIVE_TABLES)
      await pools.full.query(`ALTER TABLE ${table} RESET (fillfactor)`);
    const spent = { room: 0, full: 0 };
    let seq = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const messages = batch(round, seq + 1);
      seq += MESSAGES;
      // Alternating which goes first, so neither always meets a warmer cache.
      for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
        const t0 = performance.now();
        await writeBatch(
          pools[v],
          messages.map((message) => ({ kind: 'message' as const, message })),
          { commitLog: { instance: 'bench-hot' } },
        );
        spent[v] += performance.now() - t0;
      }
      process.stdout.write(`\r  HOT updates: round ${round + 1}/${ROUNDS}`);
    }
    process.stdout.write('\n');
    const rows = ROUNDS * MESSAGES * READINGS;
    const hotShare = async (pool: pg.Pool) => {
      const { rows: r } = await pool.query<{ upd: string; hot: string }>(
        `SELECT sum(n_tup_upd) AS upd, sum(n_tup_hot_upd) AS hot FROM pg_stat_user_tables
          WHERE relname = ANY($1) OR relname ~ '^samples_1[mh]_p'`,
        [LIVE_TABLES],
      );
      return Number((Number(r[0]!.hot) / Math.max(1, Number(r[0]!.upd))).toFixed(2));
    };
    const result: HotFigures = {
      hotRowsPerSec: Math.round(rows / (spent.room / 1000)),
      hotBaselineRowsPerSec: Math.round(rows / (spent.full / 1000)),
      hotUpdateShare: await hotShare(pools.room),
      hotBaselineUpdateShare: await hotShare(pools.full),
    };
    console.log(
      `HOT room (053): ${result.hotRowsPerSec} rows/s, ${Math.round(result.hotUpdateShare * 100)} % of updates on their page; ` +
        `full pages: ${result.hotBaselineRowsPerSec} rows/s, ${Math.round(result.hotBaselineUpdateShare * 100)} % ` +
        `(${(result.hotRowsPerSec / result.hotBaselineRowsPerSec).toFixed(2)}×, same run)`,
    );
    return result;
  } finally {
    for (const pool of Object.values(pools)) await pool.end();
  }
}
