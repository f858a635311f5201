/**
 * `npm run bench -- routes [--machines 200,1000] [--rounds 20]`: the API routes a plant's
 * screens and planners ask, timed on a seeded plant of N machines (lines of 20) with a shift's
 * worth of states, counts, samples, scans and orders (docs/decisions.md "Issue 22 — fitting
 * 1,000 machines").
 *
 * Real parts: embedded PostgreSQL, the aedes broker, ingest over HTTP with a signed-in
 * session. The plant board's figures are timed uncached (the route keeps an answer 30 s; a
 * miss pays this), beside the old machine-by-machine computation in the same run as the
 * baseline. The alert poll is `machineOeeReports` for every machine over the shift: what one
 * `oee-below` rule per machine asks of the database each poll (ingest/src/alerts/polled.ts).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '@takt/broker';
import {
  createSession,
  createUser,
  SESSION_COOKIE,
  startEmbeddedPostgres,
  startIngest,
  type RunningIngest,
} from '@takt/ingest';
import { freePort } from '@takt/sim';
import type { Pool } from 'pg';
import { pino } from 'pino';
import { boardWindow } from '../ingest/src/domain/board-window';
import { shiftOee, shiftOeeMachineByMachine } from '../ingest/src/queries/boards';
import { machineOeeReports } from '../ingest/src/queries/oee';
import { loadPlantModel } from '../ingest/src/plant';
import { BENCH_SITE, benchMachines, writePlantModel, type BenchMachine } from './dashboard-plant';
import { printTable } from './table';

const H = 3_600_000;
/** Seconds between two count rows of a machine (a piece every few seconds, sent in batches). */
const COUNT_EVERY_S = 15;
/** Seconds between state changes of a machine. */
const STATE_EVERY_S = 240;
/** Machines whose 10 tags are stored at 1 Hz for the last hour (the history route's reads). */
const SAMPLED_MACHINES = 20;
const TAGS = 10;

export interface RouteFigures {
  n: number;
  p50Ms: number;
  p95Ms: number;
}

function figures(ms: number[]): RouteFigures {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { n: ms.length, p50Ms: Math.round(at(0.5)), p95Ms: Math.round(at(0.95)) };
}

async function timed(rounds: number, run: () => Promise<unknown>): Promise<RouteFigures> {
  await run(); // warm: plans cached, pages read once
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return figures(ms);
}

/** A shift's worth of rows, written straight into the tables (the write path is ingest's bench). */
async function seed(pool: Pool, machines: readonly BenchMachine[], now: number) {
  const since = new Date(now - 13 * H);
  const ids = machines.map((m) => m.id);
  await pool.query('UPDATE machines SET first_data_at = $1 WHERE id = ANY($2::text[])', [
    since,
    ids,
  ]);
  // States: a change every 4 minutes, each machine offset, mostly running.
  await pool.query(
    `INSERT INTO machine_states (time, machine_id, state, gateway_id, seq)
     SELECT $1::timestamptz + make_interval(secs => s + (abs(hashtext(m)) % $3)), m,
            (ARRAY['running','running','running','idle','down'])[1 + abs(hashtext(m || s)) % 5],
            'gw-bench', s
       FROM unnest($2::text[]) AS m, generate_series(0, 13 * 3600 - $3, $3) AS s`,
    [since, ids, STATE_EVERY_S],
  );
  await pool.query(
    `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject)
     SELECT $1::timestamptz + make_interval(secs => s), m, s, 0,
            1 + abs(hashtext(m || s)) % 4, CASE WHEN abs(hashtext(s || m)) % 50 = 0 THEN 1 ELSE 0 END
       FROM unnest($2::text[]) AS m, generate_series(0, 13 * 3600 - 1, $3) AS s`,
    [since, ids, COUNT_EVERY_S],
  );
  await pool.query(
    `INSERT INTO samples (time, machine_id, tag, value, quality)
     SELECT $1::timestamptz + make_interval(secs => s), m, 'tag-' || t, 50 + 10 * sin(s / 60.0 + t), 0
       FROM unnest($2::text[]) AS m, generate_series(1, $3::int) AS t, generate_series(0, 3599) AS s`,
    [new Date(now - H), ids.slice(0, SAMPLED_MACHINES), TAGS],
  );
  // Rows written beside ingest's writer get their rollups from the raw rows (migration 051).
  await pool.query('SELECT takt_rollup_rebuild($1, $2)', [new Date(now - 2 * H), new Date(now)]);
  // The latest value of each sampled tag (the write path keeps it; the history route reads it).
  await pool.query(
    `INSERT INTO machine_values (machine_id, tag, time, value, value_kind, quality)
     SELECT m, 'tag-' || t, $1::timestamptz, 50, 'number', 0
       FROM unnest($2::text[]) AS m, generate_series(1, $3::int) AS t`,
    [new Date(now), ids.slice(0, SAMPLED_MACHINES), TAGS],
  );
  await pool.query(
    `INSERT INTO scans (time, station_id, gateway_id, code, work_order, action)
     SELECT $1::timestamptz + make_interval(secs => s * 30), 'st-' || (s % 50), 'gw-bench', 'WO-' || (s % 50), 'WO-' || (s % 50), 'start'
       FROM generate_series(0, 1499) AS s`,
    [since],
  );
  // The first three machines of each line work on its order (postOrders): the work-orders
  // consumer claims their counts as order events.
  const onOrders = machines.filter((_, i) => i % 20 < 3);
  await pool.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, good, rejected, machine_id)
     SELECT 'WO-' || l, c.time, 'count', 'op-' || o, c.good, c.reject, c.machine_id
       FROM unnest($1::text[], $2::text[], $3::int[]) AS u(m, l, o)
       JOIN counts c ON c.machine_id = u.m`,
    [onOrders.map((m) => m.id), onOrders.map((m) => m.line), onOrders.map((_, i) => (i % 3) + 1)],
  );
  await pool.query('ANALYZE');
  const { rows } = await pool.query<{ n: string }>(
    'SELECT (SELECT count(*) FROM machine_states) + (SELECT count(*) FROM counts) + (SELECT count(*) FROM samples) AS n',
  );
  return Number(rows[0]!.n);
}

/** One multi-operation order per line: its first three machines, in order. */
async function postOrders(
  ingest: RunningIngest,
  cookie: string,
  machines: readonly BenchMachine[],
) {
  const lines = [...new Set(machines.map((m) => m.line))];
  for (const line of lines) {
    const on = machines.filter((m) => m.line === line).slice(0, 3);
    const res = await fetch(`${ingest.url}/api/work-orders`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: `WO-${line}`,
        product: 'part-a',
        quantity: 5000,
        operations: on.map((m, i) => ({ id: `op-${i + 1}`, machine: m.id })),
      }),
    });
    if (!res.ok) throw new Error(`POST /api/work-orders: ${res.status} ${await res.text()}`);
  }
}

/**
 * Two 12-hour shifts in UTC, the current one started about 6 hours ago, so the figures cover
 * half a shift whenever the bench runs (the plant's own calendar would give a few minutes
 * just after a shift change).
 */
function shiftsSixHoursIn(plantFile: string) {
  const hh = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
  const start = new Date().getUTCHours() - 6;
  const yaml = readFileSync(plantFile, 'utf8')
    .replace('timeZone: Asia/Shanghai', 'timeZone: UTC')
    .replace(
      /shifts:\n( {2}- .*\n)+/,
      [
        'shifts:',
        `  - { id: a, name: A, start: '${hh(start)}', end: '${hh(start + 12)}' }`,
        `  - { id: b, name: B, start: '${hh(start + 12)}', end: '${hh(start)}' }`,
        '',
      ].join('\n'),
    );
  writeFileSync(plantFile, yaml);
}

async function get(ingest: RunningIngest, cookie: string, path: string) {
  const res = await fetch(`${ingest.url}${path}`, { headers: { cookie } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function benchPlant(count: number, rounds: number, log: pino.Logger) {
  const dir = mkdtempSync(join(tmpdir(), 'takt-bench-routes-'));
  chmodSync(dir, 0o755);
  const plantFile = join(dir, 'plant.yaml');
  const machines = benchMachines(count);
  writePlantModel(plantFile, machines);
  shiftsSixHoursIn(plantFile);
  const db = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort() });
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log,
  });
  const ingest = await startIngest({
    databaseUrl: await db.createDatabase('bench_routes'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'bench-routes' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile,
    log,
  });
  try {
    await ingest.subscribed;
    const user = await createUser(ingest.pool, 'bench-routes', 'admin', 'bench-routes-password');
    const { token } = await createSession(ingest.pool, user!.id, 24 * H);
    const cookie = `${SESSION_COOKIE}=${token}`;
    const now = Date.now();
    const t0 = performance.now();
    const rows = await seed(ingest.pool, machines, now);
    await postOrders(ingest, cookie, machines);
    console.log(
      `  ${count} machines: ${rows} rows seeded in ${Math.round(performance.now() - t0)} ms`,
    );
    const plant = await loadPlantModel(ingest.pool, BENCH_SITE);
    const window = boardWindow(plant!.shifts, plant!.holidays, plant!.site.timeZone, Date.now());
    const from = new Date(window.from).toISOString();
    const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
    const routes: Record<string, RouteFigures> = {
      'boards/shift (uncached)': await timed(rounds, () => shiftOee(ingest.pool, null)),
      'oee?line=': await timed(rounds, () =>
        get(
          ingest,
          cookie,
          `/api/oee?${q({ line: 'line-1', from, to: new Date().toISOString() })}`,
        ),
      ),
      'work-orders': await timed(rounds, () => get(ingest, cookie, '/api/work-orders')),
      history: await timed(rounds, () =>
        get(
          ingest,
          cookie,
          `/api/history?${q({ machine: machines[0]!.id, from: new Date(Date.now() - H).toISOString() })}`,
        ),
      ),
      'alert poll (oee, every machine)': await timed(rounds, () =>
        machineOeeReports(
          ingest.pool,
          machines.map((m) => ({ machine: m.id, from: window.from, to: Date.now() })),
        ),
      ),
    };
    const baseline = {
      'boards/shift (uncached)': await timed(Math.min(rounds, 3), () =>
        shiftOeeMachineByMachine(ingest.pool, null),
      ),
    };
    return { machines: count, rowsSeeded: rows, routes, baseline, loadAverage: loadavg() };
  } finally {
    await ingest.stop();
    await broker.stop();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchRoutes(argv: readonly string[]): Promise<Record<string, unknown>> {
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const counts = (option('--machines') ?? '200,1000').split(',').map(Number);
  const rounds = Number(option('--rounds') ?? 20);
  if (counts.some((n) => !Number.isInteger(n) || n < 20) || !(rounds >= 1))
    throw new Error(
      '--machines takes whole numbers of at least 20 (comma-separated), --rounds at least 1',
    );
  const log = pino({ level: 'warn' });
  const runs = [];
  for (const count of counts) runs.push(await benchPlant(count, rounds, log));
  printTable([
    ['machines', 'route', 'p50 ms', 'p95 ms', 'baseline p95 ms', 'load avg'],
    ...runs.flatMap((r) =>
      Object.entries(r.routes).map(([route, f]) => [
        String(r.machines),
        route,
        String(f.p50Ms),
        String(f.p95Ms),
        String((r.baseline as Record<string, RouteFigures>)[route]?.p95Ms ?? ''),
        r.loadAverage.map((l) => l.toFixed(2)).join(' '),
      ]),
    ),
  ]);
  return { rounds, countEveryS: COUNT_EVERY_S, stateEveryS: STATE_EVERY_S, runs };
}
