/**
 * Sustained ingest (docs/decisions.md "Issue 22 — sustained ingest"): publisher, broker
 * (broker/src/main.ts) and ingest (ingest/src/main.ts) as processes of their own on one
 * embedded PostgreSQL; the publisher offers a fixed rate for `--step-seconds` (60) per step,
 * stepped up until a step does not hold. A step holds when the publisher could publish all it
 * owed, the backlog (published minus committed) did not grow over the step's second half,
 * everything published was stored after it (no drop) and nothing became a dead letter.
 * CPU and RSS per process from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSession, createUser, DEFAULT_WRITERS } from '@takt/ingest';
import { freePort } from '@takt/sim';
import pg from 'pg';
import type { PublisherCommand, PublisherReport } from './ingest-publisher';
import { cpuSeconds, rssMb } from './process-stats';
import { printTable } from './table';

const ROOT = resolve(import.meta.dirname, '..');
// 10k first: on a busy machine a figure still comes out when 25k does not hold.
const DEFAULT_STEPS = [10_000, 25_000, 50_000, 75_000, 100_000, 125_000, 150_000];
const GATEWAYS = 10;
const READINGS = 50; // per message (bench/ingest-publisher.ts)
const MACHINES_PER_GATEWAY = 5;
const DRAIN_TIMEOUT_MS = 60_000;

export interface SustainedStep {
  offeredPointsPerSec: number;
  publishedPointsPerSec: number;
  committedPointsPerSec: number;
  /** Published but not yet committed at the step's end, in seconds of the offered rate. */
  endLagS: number;
  /** Growth of that backlog over the step's second half, points per second. */
  lagGrowthPointsPerSec: number;
  behindPoints: number;
  dropped: number;
  deadLetters: number;
  held: boolean;
  cpuPercent: Record<ProcName, number>;
  rssMb: Record<ProcName, number>;
  loadAverage: string;
}

type ProcName = 'publisher' | 'broker' | 'ingest' | 'postgres';

/** CPU seconds of a process and its children (PostgreSQL: the postmaster and its backends). */
function treeCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // + reaped children
  for (const child of childPids(pid)) {
    try {
      ticks += cpuSeconds(child) * 100;
    } catch {
      // ended between the listing and the read: its time is in the parent's cutime now
    }
  }
  return ticks / 100;
}

function treeRssMb(pid: number): number {
  let mb = rssMb(pid);
  for (const child of childPids(pid)) {
    try {
      mb += rssMb(child);
    } catch {
      // ended meanwhile
    }
  }
  return mb;
}

function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/** A service as its production image runs it: its bundle under plain node (scripts/bundle.mjs). */
function startBundle(workspace: 'broker' | 'ingest', env: Record<string, string>): ChildProcess {
  execFileSync(process.execPath, ['scripts/bundle.mjs', workspace], { cwd: ROOT, stdio: 'ignore' });
  // BENCH_PROFILE_DIR: a CPU profile of each service there when it stops (node --cpu-prof).
  const dir = process.env.BENCH_PROFILE_DIR;
  const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  return spawn(process.execPath, [...profile, `${workspace}/dist/${workspace}.mjs`], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function startNode(file: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

/** Publisher IPC: send a command, wait for the report of the given kind. */
function ask(
  child: ChildProcess,
  command: PublisherCommand,
  kind: PublisherReport['kind'],
): Promise<PublisherReport> {
  return new Promise((resolveReport) => {
    const onMessage = (m: PublisherReport) => {
      if (m.kind !== kind) return;
      child.off('message', onMessage);
      resolveReport(m);
    };
    child.on('message', onMessage);
    child.send(command);
  });
}

const slope = (points: { t: number; y: number }[]) => {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : num / den;
};

export interface SustainedOptions {
  stepSeconds: number;
  steps: number[];
  /** Ingest's writer lanes, one ladder each (`--writers 1,2`; default ingest's default). */
  writers: number[];
}

/** `--step-seconds N` (60) and `--steps 25000,50000,…` from the bench's argv. */
export function sustainedOptions(argv: readonly string[]): SustainedOptions {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stepSeconds = Number(value('--step-seconds') ?? 60);
  if (!Number.isFinite(stepSeconds) || stepSeconds < 5)
    throw new Error('--step-seconds must be a number of seconds, at least 5');
  const steps = value('--steps')?.split(',').map(Number) ?? DEFAULT_STEPS;
  if (steps.some((s) => !Number.isInteger(s) || s < READINGS))
    throw new Error(`--steps must be whole readings per second, at least ${READINGS}`);
  const writers = value('--writers')?.split(',').map(Number) ?? [DEFAULT_WRITERS];
  if (writers.some((w) => !Number.isInteger(w) || w < 1 || w > 16))
    throw new Error('--writers must be whole numbers of writer lanes from 1 to 16');
  return { stepSeconds, steps, writers };
}

interface Procs {
  publisher: ChildProcess;
  broker: ChildProcess;
  ingest: ChildProcess;
  postgresPid: number;
}

function cpuNow(p: Procs): Record<ProcName, number> {
  return {
    publisher: cpuSeconds(p.publisher.pid!),
    broker: cpuSeconds(p.broker.pid!),
    ingest: cpuSeconds(p.ingest.pid!),
    postgres: treeCpuSeconds(p.postgresPid),
  };
}

function rssNow(p: Procs): Record<ProcName, number> {
  return {
    publisher: rssMb(p.publisher.pid!),
    broker: rssMb(p.broker.pid!),
    ingest: rssMb(p.ingest.pid!),
    postgres: treeRssMb(p.postgresPid),
  };
}

const NAMES: ProcName[] = ['publisher', 'broker', 'ingest', 'postgres'];

/** The stored sample rows of the bench's gateways, and their dead letters. */
async function storedFigures(pool: pg.Pool): Promise<{ rows: number; dead: number }> {
  const { rows } = await pool.query<{ rows: string; dead: string }>(
    `SELECT (SELECT count(*) FROM samples) AS rows, (SELECT count(*) FROM dead_letters) AS dead`,
  );
  return { rows: Number(rows[0]!.rows), dead: Number(rows[0]!.dead) };
}

async function runStep(
  procs: Procs,
  pool: pg.Pool,
  committed: () => Promise<number>,
  pointsPerSec: number,
  seconds: number,
  before: { rows: number; dead: number },
): Promise<SustainedStep> {
  const sent0 = (await ask(procs.publisher, { kind: 'count' }, 'count')).sentPoints;
  const committed0 = await committed();
  const cpu0 = cpuNow(procs);
  const peak = rssNow(procs);
  const t0 = performance.now();
  const done = ask(procs.publisher, { kind: 'step', pointsPerSec, seconds }, 'stepDone');
  let finished: PublisherReport | undefined;
  void done.then((r) => (finished = r));
  const backlog: { t: number; y: number }[] = [];
  while (!finished) {
    await new Promise((r) => setTimeout(r, 1000));
    const t = (performance.now() - t0) / 1000;
    const sent = (await ask(procs.publisher, { kind: 'count' }, 'count')).sentPoints - sent0;
    const stored = (await committed()) - committed0;
    backlog.push({ t, y: sent - stored });
    const now = rssNow(procs);
    for (const n of NAMES) peak[n] = Math.max(peak[n], now[n]);
    process.stdout.write(
      `\r  ${pointsPerSec} readings/s: ${Math.round(t)}/${seconds} s, backlog ${sent - stored} points   `,
    );
  }
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu1 = cpuNow(procs);
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const report = finished;
  const sentPoints = report.sentPoints - sent0;
  const committedInStep = (await committed()) - committed0;
  const endBacklog = sentPoints - committedInStep;
  const growth = slope(backlog.filter((b) => b.t >= seconds / 2));
  // Everything published must be stored: wait for the backlog to drain, then count rows.
  const expectedRows = before.rows + sentPoints;
  const drained = Date.now() + DRAIN_TIMEOUT_MS;
  let after = await storedFigures(pool);
  while (after.rows < expectedRows && Date.now() < drained) {
    await new Promise((r) => setTimeout(r, 500));
    after = await storedFigures(pool);
  }
  const dropped = Math.max(0, expectedRows - after.rows);
  const deadLetters = after.dead - before.dead;
  const behindPoints = report.behindPoints;
  const held =
    behindPoints === 0 &&
    dropped === 0 &&
    deadLetters === 0 &&
    growth < pointsPerSec * 0.02 &&
    endBacklog < pointsPerSec * 5;
  const cpuPercent = Object.fromEntries(
    NAMES.map((n) => [n, Math.round(((cpu1[n] - cpu0[n]) / elapsedS) * 100)]),
  ) as Record<ProcName, number>;
  const step: SustainedStep = {
    offeredPointsPerSec: pointsPerSec,
    publishedPointsPerSec: Math.round(sentPoints / elapsedS),
    committedPointsPerSec: Math.round(committedInStep / elapsedS),
    endLagS: Number((endBacklog / pointsPerSec).toFixed(2)),
    lagGrowthPointsPerSec: Math.round(growth),
    behindPoints,
    dropped,
    deadLetters,
    held,
    cpuPercent,
    rssMb: Object.fromEntries(NAMES.map((n) => [n, Math.round(peak[n])])) as Record<
      ProcName,
      number
    >,
    loadAverage,
  };
  process.stdout.write(
    `\r  ${pointsPerSec} readings/s: ${step.held ? 'held' : 'did NOT hold'} — committed ` +
      `${step.committedPointsPerSec}/s, lag at end ${step.endLagS} s, backlog growth ` +
      `${step.lagGrowthPointsPerSec}/s, behind ${behindPoints}, dropped ${dropped}, dead ` +
      `${deadLetters}; CPU % ${NAMES.map((n) => `${n} ${cpuPercent[n]}`).join(', ')}; load ${loadAverage}\n`,
  );
  return step;
}

/**
 * Runs the steps against `databaseUrl` (a fresh, unmigrated database: ingest migrates it at
 * its start) on the PostgreSQL whose postmaster is `postgresPid`.
 */
export async function benchSustained(
  databaseUrl: string,
  postgresPid: number,
  options: SustainedOptions,
  writers: number,
): Promise<Record<string, unknown>> {
  console.log(`sustained ingest, ${writers} writer lane(s):`);
  const brokerPort = await freePort();
  const httpPort = await freePort();
  const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;
  const broker = startBundle('broker', {
    TAKT_BROKER_PORT: String(brokerPort),
    TAKT_BROKER_ALLOW_ANONYMOUS: 'true',
  });
  const ingest = startBundle('ingest', {
    DATABASE_URL: databaseUrl,
    TAKT_MQTT_URL: brokerUrl,
    TAKT_MQTT_CLIENT_ID: 'bench-sustained-ingest',
    TAKT_HTTP_PORT: String(httpPort),
    TAKT_INGEST_WRITERS: String(writers),
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', (error) => console.warn(`bench pool: ${error.message}`));
  let publisher: ChildProcess | undefined;
  try {
    const ingestUrl = `http://127.0.0.1:${httpPort}`;
    await waitFor('ingest', async () =>
      (await fetch(`${ingestUrl}/api/health`)).status < 500 ? true : undefined,
    );
    const user = await createUser(pool, `bench-${Date.now()}`, 'admin', 'x');
    const token = (await createSession(pool, user!.id, 3_600_000)).token;
    const committed = async () => {
      const r = await fetch(`${ingestUrl}/api/ingest/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await r.json()) as { writer: { rowsTotal: number } }).writer.rowsTotal;
    };
    publisher = startNode('bench/ingest-publisher.ts', {}, [
      brokerUrl,
      String(GATEWAYS),
      String(MACHINES_PER_GATEWAY),
    ]);
    await new Promise<void>((ready, failed) => {
      publisher!.once('message', () => ready());
      publisher!.once('exit', (code) => failed(new Error(`publisher exited (${code})`)));
    });
    const procs: Procs = { publisher, broker, ingest, postgresPid };
    // Warm-up, not counted: the first messages load ingest's lazy parts and make the day's
    // partitions; the steps start from an empty backlog.
    const warm = await storedFigures(pool);
    const warmRate = Math.max(READINGS, Math.round(options.steps[0]! / 5));
    await ask(publisher, { kind: 'step', pointsPerSec: warmRate, seconds: 5 }, 'stepDone');
    const warmSent = (await ask(publisher, { kind: 'count' }, 'count')).sentPoints;
    await waitFor('the warm-up', async () =>
      (await storedFigures(pool)).rows >= warm.rows + warmSent ? true : undefined,
    );
    const steps: SustainedStep[] = [];
    for (const rate of options.steps) {
      const before = await storedFigures(pool);
      const step = await runStep(procs, pool, committed, rate, options.stepSeconds, before);
      steps.push(step);
      if (!step.held) break;
    }
    const best = steps.filter((s) => s.held).at(-1);
    printTable([
      [
        'offered/s',
        'committed/s',
        'lag s',
        'growth/s',
        'held',
        'CPU % pub/broker/ingest/pg',
        'load',
      ],
      ...steps.map((s) => [
        String(s.offeredPointsPerSec),
        String(s.committedPointsPerSec),
        String(s.endLagS),
        String(s.lagGrowthPointsPerSec),
        s.held ? 'yes' : 'NO',
        NAMES.map((n) => s.cpuPercent[n]).join(' / '),
        s.loadAverage,
      ]),
    ]);
    console.log(
      `sustained: ${best?.offeredPointsPerSec ?? 0} readings/s held for ${options.stepSeconds} s ` +
        `(${GATEWAYS} gateways, 50-reading messages, QoS 1, ${writers} writer lane(s); CPU in % of one core)`,
    );
    // The held step's CPU; with none held, the step that failed (its rate says which).
    const shown = best ?? steps.at(-1);
    return {
      sustainedPointsPerSec: best?.offeredPointsPerSec ?? 0,
      sustainedWriters: writers,
      cpuPercentByProcess: shown?.cpuPercent ?? null,
      rssMbByProcess: shown?.rssMb ?? null,
      cpuAtOfferedPointsPerSec: shown?.offeredPointsPerSec ?? null,
      sustainedStepSeconds: options.stepSeconds,
      sustainedGateways: GATEWAYS,
      sustainedSteps: steps,
    };
  } finally {
    if (publisher) await stopChild(publisher);
    await stopChild(ingest);
    await stopChild(broker);
    await pool.end();
  }
}
