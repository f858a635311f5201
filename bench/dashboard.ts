/**
 * `npm run bench -- dashboard [--minutes N]`: what a wall screen costs (issue 8).
 *
 * - entryGzipKb: gzip size of the JS and CSS dashboard/dist/app/index.html loads at start
 *   (its script, stylesheets and modulepreloads; not the lazy page chunks). Goal < 500 kB.
 * - firstLiveBoardMs: navigation start to a live plant board whose 200 tiles all show
 *   fresh data, median of FIRST_LOADS cold loads (a new browser context each).
 * - heapStartMb / heapEndMb: the JS heap of that board left running N minutes (default
 *   10, after a minute to settle; the plant has sent 15 minutes of history first, so the
 *   tiles' trend windows start full) while 200 machines update every second, after a
 *   forced GC (CDP HeapProfiler.collectGarbage), sampled each minute, with the renderer's
 *   CPU % (CDP Performance.getMetrics TaskDuration over wall time). Goal: end/start ≈ 1.
 *
 * Real parts: embedded PostgreSQL, the aedes broker, ingest serving the built dashboard, a
 * publisher sending as 10 gateways do (bench/dashboard-plant.ts), Debian's chromium.
 */
import { readFileSync, existsSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startBroker } from '@takt/broker';
import {
  createSession,
  createUser,
  DEFAULT_DASHBOARD_DIR,
  latencyFromEnv,
  SESSION_COOKIE,
  startEmbeddedPostgres,
  startIngest,
  type RunningIngest,
} from '@takt/ingest';
import { freePort } from '@takt/sim';
import type { Browser, BrowserContext } from 'playwright-core';
import { pino } from 'pino';
import { launchBrowser } from '../test/helpers/browser';
import { benchMachines, startPublisher, writePlantModel } from './dashboard-plant';
import { printTable } from './table';

const MACHINES = 200;
const FIRST_LOADS = 5;
const ENTRY_GOAL_KB = 500;
const log = pino({ level: 'silent' });

function minutesArg(argv: readonly string[]): number {
  const i = argv.indexOf('--minutes');
  if (i < 0) return 10;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error('--minutes takes a number above 0');
  return n;
}

/** The assets index.html makes the browser load at start, gzipped (level 9, as servers pre-compress). */
export function entryAssets(dir: string): { file: string; bytes: number; gzipBytes: number }[] {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const refs = [
    ...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*\brel="(?:stylesheet|modulepreload)"[^>]*\bhref="([^"]+)"/g),
  ].map((m) => m[1]!);
  return [...new Set(refs)].map((ref) => {
    const body = readFileSync(join(dir, ref.replace(/^\//, '')));
    return { file: ref, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
  });
}

/** What the page's own `document` offers us (this file is checked without the DOM library). */
type PageDoc = {
  querySelector(selector: string): unknown;
  querySelectorAll(selector: string): { length: number };
};
/**
 * Runs in the page (serialized by playwright: self-contained, no closures; the dashboard's
 * CSP forbids passing it as a string): ms since navigation start once the board is live
 * with `machines` fresh tiles, else false.
 */
const liveBoardAt = ({ machines, live }: { machines: number; live: boolean }) => {
  const doc = (globalThis as unknown as { document: PageDoc }).document;
  const isLive = doc.querySelector('[data-testid="connection-status"][data-status="live"]');
  const fresh = doc.querySelectorAll('[data-testid="machine-tile"][data-stale="false"]').length;
  return (!live || isLive) && fresh >= machines ? performance.now() : false;
};

/** The board runs this long before the first heap sample (minute 0). */
const WARMUP_MS = 60_000;

/** Seconds of history per machine sent before the browser opens (the trend window, 15 min). */
const HISTORY_S = 15 * 60;

/** Until ingest has stored (nearly) all the history sent before `beforeMs`. */
async function waitForHistory(pool: RunningIngest['pool'], beforeMs: number): Promise<void> {
  const wanted = MACHINES * (HISTORY_S - 5) * 2;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM samples WHERE time < to_timestamp($1 / 1000.0)',
      [beforeMs],
    );
    if (Number(rows[0]!.n) >= wanted) return;
    if (Date.now() > deadline) throw new Error(`history not stored in time: ${rows[0]!.n} rows`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

async function signedIn(browser: Browser, url: string, token: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url }]);
  return context;
}

/** Navigation start to a live board with every tile fresh, in ms, as the page measures it. */
async function firstLiveBoard(browser: Browser, url: string, token: string): Promise<number> {
  const context = await signedIn(browser, url, token);
  const page = await context.newPage();
  await page.goto(url);
  const handle = await page.waitForFunction(
    liveBoardAt,
    { machines: MACHINES, live: true },
    { timeout: 60_000, polling: 'raf' },
  );
  const ms = Math.round((await handle.jsonValue()) as number);
  await context.close();
  return ms;
}

interface Sample {
  minute: number;
  heapMb: number;
  /** Renderer busy time over the minute before; null for the first sample. */
  cpuPercent: number | null;
  tiles: number;
}

/** The board left running: heap after a forced GC and renderer CPU, each minute. */
async function soak(browser: Browser, url: string, token: string, minutes: number) {
  const context = await signedIn(browser, url, token);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(liveBoardAt, { machines: MACHINES, live: false }, { timeout: 60_000 });
  // Tiles show live data before their trends' history arrives (200 requests of 900 points):
  // the heap at start is taken once the page has settled, not while it is still loading.
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
    return { heap: get('JSHeapUsedSize'), taskS: get('TaskDuration'), atMs: Date.now() };
  };
  const samples: Sample[] = [];
  let last = await measure();
  const tiles = () => page.locator('[data-testid="machine-tile"][data-stale="false"]').count();
  samples.push({ minute: 0, heapMb: mb(last.heap), cpuPercent: null, tiles: await tiles() });
  console.log(`  minute 0: heap ${mb(last.heap)} MB`);
  const totalMs = minutes * 60_000;
  const started = Date.now();
  for (let minute = 1; Date.now() - started < totalMs - 1000; minute++) {
    const wait = Math.min(60_000, totalMs - (Date.now() - started));
    await new Promise((r) => setTimeout(r, wait));
    const now = await measure();
    const cpuPercent =
      Math.round(((now.taskS - last.taskS) / ((now.atMs - last.atMs) / 1000)) * 1000) / 10;
    const sample = { minute, heapMb: mb(now.heap), cpuPercent, tiles: await tiles() };
    samples.push(sample);
    console.log(
      `  minute ${minute}: heap ${sample.heapMb} MB, renderer CPU ${cpuPercent} %, fresh tiles ${sample.tiles}`,
    );
    last = now;
  }
  await context.close();
  return samples;
}

export async function benchDashboard(
  argv: readonly string[] = [],
): Promise<Record<string, unknown>> {
  const minutes = minutesArg(argv);
  if (!existsSync(join(DEFAULT_DASHBOARD_DIR, 'index.html')))
    throw new Error(`no dashboard build in ${DEFAULT_DASHBOARD_DIR}: run npm run build first`);
  const assets = entryAssets(DEFAULT_DASHBOARD_DIR);
  const entryGzipKb = Math.round(assets.reduce((s, a) => s + a.gzipBytes, 0) / 102.4) / 10;
  for (const a of assets)
    console.log(
      `  entry ${a.file}: ${Math.round(a.bytes / 1024)} kB, gzip ${Math.round(a.gzipBytes / 1024)} kB`,
    );

  const dir = mkdtempSync(join(tmpdir(), 'takt-bench-dashboard-'));
  chmodSync(dir, 0o755);
  const plantFile = join(dir, 'plant.yaml');
  const machines = benchMachines(MACHINES);
  writePlantModel(plantFile, machines);
  const db = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort() });
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log,
  });
  const brokerUrl = `mqtt://127.0.0.1:${broker.port}`;
  const latency = latencyFromEnv();
  const ingest = await startIngest({
    databaseUrl: await db.createDatabase('bench_dashboard'),
    mqtt: { url: brokerUrl, clientId: 'bench-ingest' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile,
    log,
    // The live waits as a deployment sets them (docs/config-reference.md), to compare them.
    liveUpdateMs: latency.liveUpdateMs,
    batch: { maxDelayMs: latency.batchMs },
  });
  let browser: Browser | undefined;
  let publisher: Awaited<ReturnType<typeof startPublisher>> | undefined;
  try {
    await ingest.subscribed;
    const user = await createUser(ingest.pool, 'bench-board', 'manager', 'bench-board-password');
    const { token } = await createSession(ingest.pool, user!.id, 24 * 3_600_000);
    // A plant that has been running: the tiles' trends (a 15-minute window) start full, so
    // the heap measured is the steady state, not the first quarter hour filling them.
    const historyBeforeMs = Date.now();
    publisher = await startPublisher(brokerUrl, machines, HISTORY_S);
    await waitForHistory(ingest.pool, historyBeforeMs);
    browser = await launchBrowser();
    const loads: number[] = [];
    for (let i = 0; i < FIRST_LOADS; i++)
      loads.push(await firstLiveBoard(browser, ingest.url, token));
    console.log(`  first live board: ${loads.join(', ')} ms`);
    const samples = await soak(browser, ingest.url, token, minutes);
    const heapStartMb = samples[0]!.heapMb;
    const heapEndMb = samples.at(-1)!.heapMb;
    const cpus = samples.flatMap((s) => (s.cpuPercent === null ? [] : [s.cpuPercent]));
    const result = {
      machines: MACHINES,
      minutes,
      messagesSent: publisher.sent(),
      entryGzipKb,
      entryGoalKb: ENTRY_GOAL_KB,
      entryAssets: assets,
      firstLiveBoardMs: median(loads),
      firstLiveBoardLoadsMs: loads,
      heapStartMb,
      heapEndMb,
      heapEndToStart: Math.round((heapEndMb / heapStartMb) * 100) / 100,
      heapMaxMb: Math.max(...samples.map((s) => s.heapMb)),
      rendererCpuPercentMedian: cpus.length ? median(cpus) : null,
      samples,
    };
    printTable([
      ['figure', 'value', 'goal'],
      ['entry bundle (gzip)', `${entryGzipKb} kB`, `< ${ENTRY_GOAL_KB} kB`],
      ['first live board (median)', `${result.firstLiveBoardMs} ms`, ''],
      ['heap start / end', `${heapStartMb} / ${heapEndMb} MB`, 'end/start ≈ 1'],
      ['heap end / start', `${result.heapEndToStart}`, '≈ 1'],
      ['renderer CPU (median)', `${result.rendererCpuPercentMedian} %`, ''],
    ]);
    printTable([
      ['minute', 'heap MB', 'CPU %', 'fresh tiles'],
      ...samples.map((s) => [
        String(s.minute),
        String(s.heapMb),
        s.cpuPercent === null ? '—' : String(s.cpuPercent),
        String(s.tiles),
      ]),
    ]);
    return result;
  } finally {
    await browser?.close();
    await publisher?.stop();
    await ingest.stop();
    await broker.stop();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
