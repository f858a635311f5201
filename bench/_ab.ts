import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, topics } from '@takt/protocol';
import { migrate, startEmbeddedPostgres, writeBatch } from '@takt/ingest';
import { freePort } from '@takt/sim';
import pg from 'pg';
import { pino } from 'pino';

const old005 = readFileSync('ingest/migrations/005_storage.postgres.sql', 'utf8');
const trig = old005.slice(old005.indexOf('CREATE FUNCTION takt_samples_rollup'), old005.indexOf('-- The rows stored before'));
const NOOP = `CREATE OR REPLACE FUNCTION takt_rollup_add(buckets timestamptz[], machines text[], tags text[],
  mins float8[], maxs float8[], sums float8[], counts int8[], lasts float8[], last_times timestamptz[]) RETURNS void LANGUAGE sql AS 'SELECT'`;
let seq = 0;
function batch(n: number, gw: string, t0: number) {
  return Array.from({ length: n }, (_, i) => {
    seq++;
    const ts = t0 + seq * 20;
    const m = `m${i % 50}`;
    const readings = Array.from({ length: 50 }, (_, r) => ({ tag: `t${r}`, value: Math.round(Math.sin(seq + r) * 1000) / 10, ts, quality: 'good' }));
    const d = decodeMessage(topics.machine('b', gw, m, 'metrics'), Buffer.from(JSON.stringify({ v: 1, seq, ts, readings })));
    if (!d.ok) throw new Error(d.reason);
    return { kind: 'message' as const, message: d.message };
  });
}
const dir = mkdtempSync(join(tmpdir(), 'takt-ab-'));
chmodSync(dir, 0o755);
const db = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort() });
const pool = new pg.Pool({ connectionString: await db.createDatabase('ab'), max: 2 });
await migrate(pool, pino({ level: 'silent' }));
const def = (await pool.query("SELECT pg_get_functiondef('takt_rollup_add'::regproc) AS def")).rows[0].def;
await pool.query(trig);
await pool.query('ALTER TABLE samples DISABLE TRIGGER samples_rollup');
const mode = async (m: string) => {
  if (m === 'trigger') { await pool.query(NOOP); await pool.query('ALTER TABLE samples ENABLE TRIGGER samples_rollup'); }
  else if (m === 'batch') { await pool.query(def); await pool.query('ALTER TABLE samples DISABLE TRIGGER samples_rollup'); }
  else { await pool.query(NOOP); await pool.query('ALTER TABLE samples DISABLE TRIGGER samples_rollup'); }
};
const t0 = Date.now() - 3600_000;
const res: Record<string, number[]> = { trigger: [], batch: [], none: [] };
const size = Number(process.env.AB_MSGS ?? 200);
for (let round = 0; round < 3; round++)
  for (const m of ['trigger', 'batch', 'none']) {
    await mode(m);
    const batches = Array.from({ length: 10 }, () => batch(size, `gw-${m}`, t0));
    const s = performance.now();
    for (const b of batches) await writeBatch(pool, b);
    const rate = (10 * size * 50) / ((performance.now() - s) / 1000);
    res[m]!.push(Math.round(rate));
  }
console.log(JSON.stringify(res), readFileSync('/proc/loadavg', 'utf8').trim());
await pool.end();
await db.stop();
rmSync(dir, { recursive: true, force: true });
