/**
 * `npm run bench -- plant [--machines N] [--minutes M]` (defaults 1000 and 15): a whole plant
 * on this machine, each part a process of its own (docs/decisions.md "Issues 22/25 — shared
 * choices"): the embedded PostgreSQL, the Takt broker with an account per gateway, ingest
 * (HTTP, socket.io) on a synthetic plant model (bench/plant-model.ts), the publisher of N
 * machines on N/20 gateways (bench/plant-publisher.ts) and the readers: three live boards and
 * an API client (bench/plant-clients.ts). After a warm-up it measures for the rest of the run:
 * publish→commit lag (ingest's ack), publish→screen lag (socket.io), CPU and memory per
 * process (bench/plant-procs.ts), API p95 per route, dead letters and drops; progress every
 * 30 s, a table at the end; the figures go to bench/results/plant.json (scripts/bench.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashPassword, type BrokerUser } from '@takt/broker';
import { createSession, createUser } from '@takt/ingest';
import { freePort } from '@takt/sim';
import pg from 'pg';
import type { ClientsConfig, ClientsReport } from './plant-clients';
import {
  ALERT_RULES_PER_MACHINE,
  PLANT_SITE,
  PLANT_TAGS,
  plantMachines,
  plantModelYaml,
  plantOrders,
} from './plant-model';
import { busyPercent, machineJiffies, treeCpuSeconds, treePssMb } from './plant-procs';
import { HISTORY_HOURS, storePlantHistory } from './plant-history';
import { readProfile } from './plant-profile';
import { FullSpeedWindows, MachineSpeed } from './machine-speed';
import type { PublisherConfig, PublisherReport } from './plant-publisher';
import { LatencyHistogram, percentile, walCounters, walFigures } from './plant-stats';
import { printTable } from './table';

const root = resolve(import.meta.dirname, '..');
const PROGRESS_MS = 30_000;
const SERVER = ['postgres', 'broker', 'ingest'] as const;
/** Goals of the plant on this 2-core machine (README bench table). */
export const PLANT_GOALS = {
  cpuPercentOfMachine: 70,
  screenP99Ms: 250,
  apiP95Ms: 300,
  rssMbTotal: 1536,
};

export function plantArgs(argv: readonly string[]): { machines: number; minutes: number } {
  const value = (flag: string, fallback: number, whole: boolean) => {
    const i = argv.indexOf(flag);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n)))
      throw new Error(`${flag} takes a ${whole ? 'whole ' : ''}number above 0`);
    return n;
  };
  return { machines: value('--machines', 1000, true), minutes: value('--minutes', 15, false) };
}

interface Part {
  name: string;
  proc: ChildProcess;
}

function start(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  logDir: string,
  ipc = false,
  nodeArgs: string[] = [],
): Part {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])],
  });
  const log = createWriteStream(join(logDir, `${name}.log`));
  proc.stdout!.pipe(log);
  proc.stderr!.pipe(log);
  return { name, proc };
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

const portOpen = (port: number) =>
  new Promise<true | undefined>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.end(), done(true)));
    socket.once('error', () => done(undefined));
  });

/** Sends `command` and waits for the child's answer of `type`. */
function ask<T>(part: Part, command: object, type: string): Promise<T> {
  return new Promise<T>((resolveAnswer, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      part.proc.off('message', onMessage);
      clearTimeout(timer);
      resolveAnswer(message as T);
    };
    const timer = setTimeout(() => {
      part.proc.off('message', onMessage);
      reject(new Error(`${part.name} did not answer ${JSON.stringify(command)}`));
    }, 60_000);
    part.proc.on('message', onMessage);
    if (Object.keys(command).length > 0) part.proc.send(command);
  });
}

function failedOnExit(part: Part, logDir: string): Promise<never> {
  return new Promise((_, reject) =>
    part.proc.once('exit', (code, signal) =>
      reject(
        new Error(
          `${part.name} exited (${code ?? signal}); see ${join(logDir, `${part.name}.log`)}`,
        ),
      ),
    ),
  );
}

async function stop(part: Part): Promise<void> {
  const { proc } = part;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((done) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.once('exit', () => (clearTimeout(kill), done()));
    proc.kill('SIGTERM');
  });
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const p = (sorted: number[], q: number) => percentile(sorted, q);

/** Which statements PostgreSQL was running, sampled: the share of samples each was active in. */
class ActiveSql {
  private readonly seen = new Map<string, number>();
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pool: pg.Pool) {}

  start(everyMs: number): void {
    const sample = async () => {
      const { rows } = await this.pool.query<{ query: string; wait: string | null }>(
        `SELECT query, wait_event_type || ':' || wait_event AS wait FROM pg_stat_activity
          WHERE state = 'active' AND datname = current_database() AND pid <> pg_backend_pid()`,
      );
      this.samples += 1;
      for (const r of rows) {
        // A statement waiting for a lock (or I/O) is told apart from one running.
        const waiting =
          r.wait?.startsWith('Lock') || r.wait?.startsWith('LWLock') ? `[${r.wait}] ` : '';
        const key = waiting + r.query.replace(/\s+/g, ' ').trim().slice(0, 160);
        this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
      }
    };
    this.timer = setInterval(() => void sample().catch(() => undefined), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The statements most often seen running, with the share of samples (a busy backend ≈ 100 %). */
  top(n: number): { sql: string; activePercent: number }[] {
    return [...this.seen.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([sql, count]) => ({
        sql,
        activePercent: round1((count / Math.max(1, this.samples)) * 100),
      }));
  }
}

export async function benchPlant(argv: readonly string[] = []): Promise<Record<string, unknown>> {
  const { machines: machineCount, minutes } = plantArgs(argv);
  const profile = argv.includes('--profile');
  // Before anything starts: the machine's speed when quiet, the baseline of each window's.
  const speed = MachineSpeed.calibrate();
  const totalMs = minutes * 60_000;
  const warmupMs = Math.min(60_000, Math.max(15_000, totalMs * 0.15));
  const dir = mkdtempSync(join(tmpdir(), 'takt-bench-plant-'));
  const logDir = mkdtempSync(join(tmpdir(), 'takt-bench-plant-logs-'));
  console.log(
    `  ${machineCount} machines, ${minutes} min (warm-up ${warmupMs / 1000} s); logs in ${logDir}`,
  );

  const gateways = plantMachines(machineCount);
  const allMachines = gateways.flatMap((g) => g.machines);
  const plantFile = join(dir, 'plant.yaml');
  writeFileSync(plantFile, plantModelYaml(gateways));
  const secret = () => randomBytes(18).toString('base64url');
  const ingestPassword = secret();
  const accounts = await Promise.all(
    gateways.map(async (g) => ({ ...g, username: g.id, password: secret() })),
  );
  const usersFile = join(dir, 'broker-users.json');
  writeFileSync(
    usersFile,
    JSON.stringify([
      ...(await Promise.all(
        accounts.map(async (a): Promise<BrokerUser> => ({
          username: a.username,
          passwordHash: await hashPassword(a.password),
          role: 'gateway',
          site: PLANT_SITE,
          gatewayId: a.id,
        })),
      )),
      { username: 'ingest', passwordHash: await hashPassword(ingestPassword), role: 'ingest' },
    ] satisfies BrokerUser[]),
    { mode: 0o600 },
  );

  const parts: Part[] = [];
  const killAll = () => parts.forEach(({ proc }) => proc.exitCode === null && proc.kill('SIGKILL'));
  process.once('exit', killAll);
  let pool: pg.Pool | undefined;
  let pgDataDir: string | undefined;
  const sql = { sampler: undefined as ActiveSql | undefined };
  try {
    const pgPort = await freePort();
    const postgres = start(
      'postgres',
      'ingest/src/db/embedded-main.ts',
      [],
      {
        TAKT_PG_PORT: String(pgPort),
        TAKT_PG_DATA_DIR: join(dir, 'pg'),
        TAKT_PG_DATABASE: 'takt_bench_plant',
      },
      logDir,
    );
    parts.push(postgres);
    // As root the data goes elsewhere (ingest/src/db/embedded-main.ts says where): removed at the end.
    postgres.proc.stderr!.on('data', (chunk: Buffer) => {
      const moved = /data in (\/\S+)/.exec(chunk.toString());
      if (moved) pgDataDir = moved[1]!;
    });
    const databaseUrl = await Promise.race([
      new Promise<string>((resolveUrl) => {
        let seen = '';
        postgres.proc.stdout!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const ready = /READY (\S+)/.exec(seen);
          if (ready) resolveUrl(ready[1]!);
        });
      }),
      failedOnExit(postgres, logDir),
    ]);

    const brokerPort = await freePort();
    const broker = start(
      'broker',
      'broker/src/main.ts',
      [],
      {
        TAKT_BROKER_PORT: String(brokerPort),
        TAKT_BROKER_USERS_FILE: usersFile,
        // Every gateway connects at once.
        TAKT_BROKER_CONN_PER_10S: String(Math.max(100, gateways.length * 4)),
      },
      logDir,
    );
    parts.push(broker);
    await Promise.race([
      until('broker', 60_000, () => portOpen(brokerPort)),
      failedOnExit(broker, logDir),
    ]);
    const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;

    const httpPort = await freePort();
    const ingest = start(
      'ingest',
      'ingest/src/main.ts',
      [],
      {
        DATABASE_URL: databaseUrl,
        TAKT_MQTT_URL: brokerUrl,
        TAKT_MQTT_USERNAME: 'ingest',
        TAKT_MQTT_PASSWORD: ingestPassword,
        TAKT_MQTT_CLIENT_ID: 'bench-plant-ingest',
        TAKT_HTTP_PORT: String(httpPort),
        TAKT_PLANT_FILE: plantFile,
      },
      logDir,
      false,
      profile ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`] : [],
    );
    parts.push(ingest);
    const url = `http://127.0.0.1:${httpPort}`;
    await Promise.race([
      until('ingest', 120_000, async () => {
        const health = (await (await fetch(`${url}/api/health`)).json()) as { mqtt?: string };
        return health.mqtt === 'subscribed' ? true : undefined;
      }),
      failedOnExit(ingest, logDir),
    ]);

    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const user = await createUser(pool, 'bench-planner', 'manager', secret());
    const { token } = await createSession(pool, user!.id, 24 * 3_600_000);
    // Ingest's own figures (GET /api/ingest/metrics, ingest/src/pipeline/metrics.ts).
    const writerMetrics = async () =>
      (
        (await (
          await fetch(`${url}/api/ingest/metrics`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as {
          writer: {
            rowsPerSec: number;
            queueDepth: number;
            batchLatencyMs: { p50: number | null; p99: number | null; max: number | null };
            rowsTotal: number;
            batchesTotal: number;
            failedBatchesTotal: number;
          };
        }
      ).writer;
    const historyStart = Date.now();
    const historyRows = await storePlantHistory(pool, allMachines, historyStart);
    console.log(
      `  history: the last ${HISTORY_HOURS} h stored (${historyRows} count rows, ${((Date.now() - historyStart) / 1000).toFixed(0)} s)`,
    );
    const orders = plantOrders(gateways, Date.now());
    for (const order of orders) {
      const response = await fetch(`${url}/api/work-orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
      if (response.status !== 201)
        throw new Error(`order ${order.id}: HTTP ${response.status} ${await response.text()}`);
    }

    const publisherConfig: PublisherConfig = {
      brokerUrl,
      gateways: accounts,
      starts: orders.flatMap((o) =>
        o.operations.map((op) => ({
          machine: op.machine,
          gateway: allMachines.find((m) => m.id === op.machine)!.gateway,
          workOrder: o.id,
          operation: op.id,
        })),
      ),
    };
    const publisherFile = join(dir, 'publisher.json');
    writeFileSync(publisherFile, JSON.stringify(publisherConfig), { mode: 0o600 });
    const publisher = start(
      'publisher',
      'bench/plant-publisher.ts',
      [publisherFile],
      {},
      logDir,
      true,
    );
    parts.push(publisher);
    await Promise.race([ask(publisher, {}, 'ready'), failedOnExit(publisher, logDir)]);

    const clientsConfig: ClientsConfig = {
      url,
      token,
      lines: gateways.map((g) => g.line),
      boardLine: { id: gateways[0]!.line },
      machines: allMachines.map((m) => m.id),
    };
    const clientsFile = join(dir, 'clients.json');
    writeFileSync(clientsFile, JSON.stringify(clientsConfig), { mode: 0o600 });
    const clients = start('clients', 'bench/plant-clients.ts', [clientsFile], {}, logDir, true);
    parts.push(clients);
    await Promise.race([ask(clients, {}, 'ready'), failedOnExit(clients, logDir)]);
    const crashed = Promise.race(parts.map((part) => failedOnExit(part, logDir)));
    crashed.catch(() => undefined);

    console.log(`  plant up (${gateways.length} gateways); warming up`);
    await Promise.race([sleep(warmupMs), crashed]);
    publisher.proc.send({ type: 'measure' });
    clients.proc.send({ type: 'measure' });
    sql.sampler = new ActiveSql(pool);
    sql.sampler.start(500);
    const wal0 = await walCounters(pool);

    const cpu0 = new Map(parts.map((part) => [part.name, treeCpuSeconds(part.proc.pid!)]));
    const peakMb = new Map(parts.map((part) => [part.name, treePssMb(part.proc.pid!)]));
    const machine0 = machineJiffies();
    const t0 = performance.now();
    const report0 = await ask<PublisherReport>(publisher, { type: 'report' }, 'report');
    await ask<ClientsReport>(clients, { type: 'report' }, 'report');
    let lastCpu = new Map(cpu0);
    let lastT = t0;
    let lastMachine = machine0;
    let lastReadings = report0.readingsSent;
    let lastAcked = report0.readingsAcked;
    const measureMs = totalMs - warmupMs;
    speed.start();
    const fullSpeed = new FullSpeedWindows();
    const cores = cpus().length;
    const progress: Record<string, unknown>[] = [];
    while (performance.now() - t0 < measureMs - 500) {
      const left = measureMs - (performance.now() - t0);
      const waitMs = Math.min(PROGRESS_MS, left);
      // Memory every 5 s for the peak.
      const until5 = performance.now() + waitMs;
      while (performance.now() < until5) {
        await Promise.race([sleep(Math.min(5000, until5 - performance.now())), crashed]);
        for (const part of parts)
          peakMb.set(part.name, Math.max(peakMb.get(part.name)!, treePssMb(part.proc.pid!)));
      }
      const now = performance.now();
      const pub = await ask<PublisherReport>(publisher, { type: 'report' }, 'report');
      const cli = await ask<ClientsReport>(clients, { type: 'report' }, 'report');
      const cpu = new Map(parts.map((part) => [part.name, treeCpuSeconds(part.proc.pid!)]));
      const secs = (now - lastT) / 1000;
      const cpuOf = (name: string) => ((cpu.get(name)! - lastCpu.get(name)!) / secs) * 100;
      const serverCpu = SERVER.reduce((s, n) => s + cpuOf(n), 0) / cores;
      const machine = machineJiffies();
      // The machine's busy share less the bench's parts: other work taking the cores.
      const otherCpu =
        busyPercent(lastMachine, machine) -
        parts.reduce((s, part) => s + cpuOf(part.name), 0) / cores;
      const metrics = { writer: await writerMetrics() };
      const lag = LatencyHistogram.fromPairs(pub.lagWindow);
      const screen = LatencyHistogram.fromPairs(cli.screenWindow);
      const slowdown = speed.takeWindow();
      fullSpeed.add(slowdown, screen);
      const row = {
        atS: Math.round((now - t0) / 1000),
        offeredPointsPerSec: Math.round((pub.readingsSent - lastReadings) / secs),
        pointsPerSec: Math.round((pub.readingsAcked - lastAcked) / secs),
        storedRowsPerSec: metrics.writer.rowsPerSec,
        queueDepth: metrics.writer.queueDepth,
        batchP50Ms: metrics.writer.batchLatencyMs.p50,
        batchP99Ms: metrics.writer.batchLatencyMs.p99,
        commitLagP50Ms: lag.percentile(50),
        commitLagP99Ms: lag.percentile(99),
        screenP99Ms: screen.percentile(99),
        unacked: pub.unacked,
        serverCpuPercentOfMachine: round1(serverCpu),
        cpuPercentOfCore: Object.fromEntries(
          parts.map((part) => [part.name, round1(cpuOf(part.name))]),
        ),
        loadavg: loadAverage(),
        /** CPU time of a fixed piece of work over the quiet machine's (bench/machine-speed.ts). */
        machineSlowdown: slowdown,
        otherWorkPercentOfMachine: round1(Math.max(0, otherCpu)),
      };
      progress.push(row);
      console.log(
        `  ${row.atS} s: ${row.pointsPerSec} points/s committed of ${row.offeredPointsPerSec} sent (ingest rows ${row.storedRowsPerSec}/s, queue ${row.queueDepth}, batch p50/p99 ${row.batchP50Ms}/${row.batchP99Ms} ms), ` +
          `commit lag p50/p99 ${row.commitLagP50Ms}/${row.commitLagP99Ms} ms, screen p99 ${row.screenP99Ms} ms, ` +
          `server CPU ${row.serverCpuPercentOfMachine} % of machine (${parts.map((x) => `${x.name} ${row.cpuPercentOfCore[x.name]}`).join(', ')} % of a core), load ${row.loadavg}, machine ×${row.machineSlowdown} slower, other work ${row.otherWorkPercentOfMachine} %`,
      );
      lastCpu = cpu;
      lastT = now;
      lastMachine = machine;
      lastReadings = pub.readingsSent;
      lastAcked = pub.readingsAcked;
    }
    const elapsedS = (performance.now() - t0) / 1000;
    speed.stop();
    const cpuEnd = new Map(parts.map((part) => [part.name, treeCpuSeconds(part.proc.pid!)]));
    const machine1 = machineJiffies();
    sql.sampler.stop();
    const wal = walFigures(wal0, await walCounters(pool));
    const pubEnd = await ask<PublisherReport>(publisher, { type: 'report' }, 'report');
    const cliEnd = await ask<ClientsReport>(clients, { type: 'report' }, 'report');
    const loadavg = loadAverage();

    // Stop sending, then wait until ingest has committed (acked) everything sent.
    await ask(clients, { type: 'stop' }, 'stopped');
    await ask(publisher, { type: 'stop' }, 'stopped');
    // A backlog is late, not lost: wait as long as acks keep coming (none for 60 s: stop).
    let drained = pubEnd;
    const drainStart = Date.now();
    let progressAt = Date.now();
    while (Date.now() - progressAt < 60_000) {
      const before = drained.unacked;
      drained = await ask<PublisherReport>(publisher, { type: 'report' }, 'report');
      if (drained.unacked === 0) break;
      if (drained.unacked < before) progressAt = Date.now();
      await sleep(500);
    }
    const drainS = Math.round((Date.now() - drainStart) / 1000);
    if (drainS > 5) console.log(`  waited ${drainS} s for ingest to commit what was sent`);
    const stored = await until('stored counts', 30_000, async () => {
      const { rows } = await pool!.query<{ samples: string; dead: string }>(
        `SELECT (SELECT count(*) FROM samples) AS samples, (SELECT count(*) FROM dead_letters) AS dead`,
      );
      return rows[0];
    });
    const writer = await writerMetrics();
    const samplesStored = Number(stored.samples);
    const deadLetters = Number(stored.dead);
    const readingsMissing = Math.max(0, drained.readingsSent - samplesStored);
    const dropped = readingsMissing + drained.unacked + drained.publishErrors;

    const cpuPercentOfCore = Object.fromEntries(
      parts.map((part) => [
        part.name,
        round1(((cpuEnd.get(part.name)! - cpu0.get(part.name)!) / elapsedS) * 100),
      ]),
    );
    const serverCpu = round1(SERVER.reduce((s, n) => s + cpuPercentOfCore[n]!, 0) / cores);
    const allCpu = round1(Object.values(cpuPercentOfCore).reduce((s, v) => s + v, 0) / cores);
    const rssMb = Object.fromEntries(
      parts.map((part) => [part.name, Math.round(peakMb.get(part.name)!)]),
    );
    const rssMbTotal = SERVER.reduce((s, n) => s + rssMb[n]!, 0);
    const lag = LatencyHistogram.fromPairs(pubEnd.lagRun);
    const screen = LatencyHistogram.fromPairs(cliEnd.screenRun);
    const routeFigures = (figures: ClientsReport['api']) =>
      Object.fromEntries(
        Object.entries(figures).map(([route, f]) => {
          const sorted = [...f.ms].sort((a, b) => a - b);
          return [
            route,
            {
              p50: p(sorted, 50),
              p95: p(sorted, 95),
              max: sorted.at(-1) ?? null,
              n: sorted.length,
              errors: f.errors,
              ...(f.lastError ? { lastError: f.lastError } : {}),
            },
          ];
        }),
      );
    const api = routeFigures(cliEnd.api);
    const boards = routeFigures(cliEnd.boards);
    const machineBusy = round1(busyPercent(machine0, machine1));
    // Committed (acked) readings per second while measured; offered is what was sent.
    const pointsPerSec = Math.round((pubEnd.readingsAcked - report0.readingsAcked) / elapsedS);
    const offeredPointsPerSec = Math.round((pubEnd.readingsSent - report0.readingsSent) / elapsedS);
    const result = {
      machines: machineCount,
      gateways: gateways.length,
      tagsPerMachine: PLANT_TAGS.length,
      alertRules: machineCount * ALERT_RULES_PER_MACHINE,
      workOrders: orders.length,
      minutes,
      measuredS: Math.round(elapsedS),
      pointsPerSec,
      offeredPointsPerSec,
      /** PostgreSQL, broker and ingest (the server's processes), % of all cores. */
      cpuPercentOfMachine: serverCpu,
      /** With the publisher and the readers, which a plant runs elsewhere. */
      cpuPercentOfMachineAll: allCpu,
      /** The whole machine, other work included (it is shared). */
      machineBusyPercent: machineBusy,
      cpuPercentOfCore,
      commitLagP50Ms: lag.percentile(50),
      commitLagP99Ms: lag.percentile(99),
      screenP50Ms: screen.percentile(50),
      screenP99Ms: screen.percentile(99),
      /** The windows the machine ran at full speed in, and their screen p99 (machine-speed.ts). */
      ...fullSpeed.figures(),
      apiP95Ms: Object.fromEntries(Object.entries(api).map(([route, f]) => [route, f.p95])),
      api,
      boards,
      /** Peak PSS of the server's processes, MB. */
      rssMbTotal,
      rssMb,
      messagesSent: drained.messagesSent,
      readingsSent: drained.readingsSent,
      samplesStored,
      dropped,
      deadLetters,
      /** Ingest's writer at the end: batches, failed batches, latency of the last minute's. */
      writer,
      /** Seconds after the publisher stopped until ingest had acked everything (a backlog). */
      drainS,
      /** PostgreSQL's WAL while measured: MB/s, full-page images/s, checkpoints begun. */
      wal,
      activeSql: sql.sampler.top(12),
      cores,
      loadavg,
      goals: PLANT_GOALS,
      progress,
    };
    printTable([
      ['figure', 'value', 'goal'],
      ['machines × tags', `${machineCount} × ${PLANT_TAGS.length}`, ''],
      ['points/s committed / offered', `${pointsPerSec} / ${offeredPointsPerSec}`, ''],
      ['commit lag p50 / p99', `${result.commitLagP50Ms} / ${result.commitLagP99Ms} ms`, ''],
      [
        'publish→screen p50 / p99',
        `${result.screenP50Ms} / ${result.screenP99Ms} ms`,
        `< ${PLANT_GOALS.screenP99Ms} ms`,
      ],
      [
        'screen p99 at full speed',
        `${result.screenP99MsAtFullSpeed} ms (${result.fullSpeedWindows} of ${result.windows} windows; machine slowdown p50 / max ×${result.machineSlowdown.p50} / ×${result.machineSlowdown.max})`,
        '',
      ],
      ['server CPU (of machine)', `${serverCpu} %`, `< ${PLANT_GOALS.cpuPercentOfMachine} %`],
      ['all parts CPU (of machine)', `${allCpu} %`, ''],
      ['machine busy (shared)', `${machineBusy} %`, ''],
      ['server RSS (PSS, peak)', `${rssMbTotal} MB`, `< ${PLANT_GOALS.rssMbTotal} MB`],
      ['dropped / dead letters', `${dropped} / ${deadLetters}`, '0 / 0'],
      ['writer batches (failed)', `${writer.batchesTotal} (${writer.failedBatchesTotal})`, ''],
      [
        'WAL written',
        `${wal.mbPerSec} MB/s (${wal.fullPageImagesPerSec} full pages/s, ${wal.checkpoints} checkpoints)`,
        '',
      ],
      ['load average', loadavg, ''],
    ]);
    printTable([
      ['process', 'CPU % of a core', 'PSS MB (peak)'],
      ...parts.map((part) => [
        part.name,
        String(cpuPercentOfCore[part.name]),
        String(rssMb[part.name]),
      ]),
    ]);
    printTable([
      ['route', 'p50 ms', 'p95 ms', 'max ms', 'n', 'errors'],
      ...Object.entries(api).map(([r, f]) => [
        `api ${r}`,
        String(f.p50),
        String(f.p95),
        String(f.max),
        String(f.n),
        String(f.errors),
      ]),
      ...Object.entries(boards).map(([r, f]) => [
        `board ${r}`,
        String(f.p50),
        String(f.p95),
        String(f.max),
        String(f.n),
        String(f.errors),
      ]),
    ]);
    console.log('  statements most often running (share of 0.5 s samples):');
    for (const s of result.activeSql.slice(0, 8)) console.log(`    ${s.activePercent} %  ${s.sql}`);
    if (profile) {
      await stop(ingest); // V8 writes the profile as ingest exits
      const summary = readProfile(logDir, root);
      if (summary) {
        console.log(`  ingest's CPU profile (start-up included): ${summary.file}`);
        for (const f of summary.functions.slice(0, 15))
          console.log(`    ${f.selfPercent} %  ${f.where}`);
        console.log('  by file:');
        for (const f of summary.files.slice(0, 10))
          console.log(`    ${f.selfPercent} %  ${f.where}`);
      }
      return { ...result, ingestProfile: summary };
    }
    return result;
  } finally {
    speed.stop();
    sql.sampler?.stop();
    await pool?.end();
    // Readers and publisher first, then ingest (drains into the database), broker, database.
    for (const part of [...parts].reverse()) await stop(part);
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
    if (pgDataDir) {
      rmSync(pgDataDir, { recursive: true, force: true });
      rmSync(`${pgDataDir}.credentials.json`, { force: true });
    }
  }
}
