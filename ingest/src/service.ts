import { fileURLToPath } from 'node:url';
import { loadYamlConfig, plantModelSchema } from '@takt/protocol';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { createHttpApp, type HttpApp } from './app';
import type { TrustProxy } from './auth/address-list';
import { within } from './consumers/runner';
import { migrate } from './db/migrate';
import { INGEST_ERRORS, IngestError } from './errors';
import { Batcher } from './pipeline/batcher';
import { WriterLanes } from './pipeline/lanes';
import {
  DEFAULT_ROLLUP_FLUSH_MS,
  startRollupFlusher,
  type RollupFlusher,
} from './pipeline/rollup-flusher';
import { writerLog } from './consumers/progress';
import { CommitWaiters, isWebGateway } from './pipeline/commit-waiters';
import { WriterMetrics } from './pipeline/metrics';
import type { IngestItem } from './pipeline/items';
import { ClockWatch } from './pipeline/clock-watch';
import { startSubscriber } from './pipeline/subscriber';
import type { RunningSparkplugHost } from './sparkplug/host';
import { sparkplugStep } from './sparkplug/step';
import { committedRanges, writeBatchIsolating } from './pipeline/writer';
import { applyPlantModel } from './plant';
import { registerHttp } from './http';
import { startImportWatch, type ImportWatchSettings } from './work-orders/watch-folder';
import { DEFAULT_PLAN_SETTINGS, PlanService, type PlanSettings } from './planning/service';
import type { AlertSettings, AuthSettings, PluginContext } from './http/types';
import { DEFAULT_DELIVERY } from './alerts/delivery/deliverer';
import { AlertRuntime } from './alerts/runtime';
import { ReportScheduler } from './reports/scheduler';
import { consumers } from './consumers';
import { ConsumerRunner, type RunnerOptions } from './consumers/runner';
import { batchCommitted } from './consumers/types';
import { Lifecycle, type Step } from './lifecycle';
import { startUpkeep } from './storage/retention';
import { storageEngine } from './storage/engine';
import { DEFAULT_STORAGE, type StorageSettings } from './storage/settings';
import { DEFAULT_HORIZON, type TimeHorizon } from './domain/time-horizon';

export const DEFAULT_DASHBOARD_DIR = fileURLToPath(
  new URL('../../dashboard/dist/app', import.meta.url),
);

export interface IngestOptions {
  databaseUrl: string;
  mqtt: {
    url: string;
    username?: string | undefined;
    password?: string | undefined;
    clientId?: string;
    /**
     * Filters to subscribe to; default everything (`takt/v1/#`). Several ingest instances
     * split the plant by subtree, or use `$share/<group>/takt/v1/#` on a broker that has
     * shared subscriptions (docs/deployment.md).
     */
    topics?: readonly string[] | undefined;
  };
  http: { host: string; port: number };
  /** Ed25519 key that signs pushed gateway configs (default TAKT_CONFIG_SIGNING_KEY_FILE). */
  configSigningKeyFile?: string | undefined;
  plantFile?: string | undefined;
  dashboardDir?: string | undefined;
  /**
   * Batches: at most `maxItems` messages, or `maxDelayMs` after the oldest came; `writers`
   * lanes write in parallel, each its own connection, a gateway always in the same lane
   * (default 2; docs/decisions.md "Issue 22 — writer lanes").
   */
  batch?: { maxItems?: number; maxDelayMs?: number; writers?: number | undefined };
  /** A screen gets a live update at most this often, ms (default 25: consumers/live.ts). */
  liveUpdateMs?: number | undefined;
  /**
   * Minutes that are over reach the minute and hour rollups this often, ms (default 5000:
   * pipeline/rollup-flusher.ts; docs/decisions.md "Issue 22 — rollups once a minute is over").
   */
  rollupFlushMs?: number | undefined;
  alerts?: Partial<AlertSettings>;
  /** How often due reports are looked for, ms (default 30 s; tests shorten it). */
  reportTickMs?: number;
  /**
   * Messages ingest holds in memory at most (issue 4 backpressure); past it the broker and
   * the gateways' disk queues keep them. Default 20,000.
   */
  maxQueued?: number;
  /** Engine choice, retention and compression (defaults: DEFAULT_STORAGE). */
  storage?: StorageSettings;
  /**
   * Timestamps further ahead or older than this are quarantined to dead letters, never
   * applied (issue 6; default DEFAULT_HORIZON: 1 h ahead, 365 days old, samples by retention).
   */
  horizon?: TimeHorizon;
  log?: Logger;
  /** Sign-in settings; see AuthSettings for the defaults. */
  auth?: Partial<AuthSettings>;
  /** Behind a reverse proxy: the client address (for the login limit) from X-Forwarded-For. */
  trustProxy?: TrustProxy | undefined;
  /** Level of the HTTP server's own log lines (default warn). */
  httpLogLevel?: string | undefined;
  /** Retries of a failed consumer, and the seam tests inject failures through. */
  consumers?: Omit<RunnerOptions, 'instance'>;
  /** A folder of ERP exports to import as they arrive (work-orders/watch-folder.ts); none: off. */
  importWatch?: ImportWatchSettings | undefined;
  /** How often the plan looks for changes and how old it may get (planning/service.ts). */
  planning?: Partial<Omit<PlanSettings, 'now'>>;
}

export interface RunningIngest {
  readonly url: string;
  readonly port: number;
  readonly pool: pg.Pool;
  /** Resolves when ingest is subscribed to the broker. */
  readonly subscribed: Promise<void>;
  readonly routes: HttpApp['routes'];
  /** Messages received and not yet written (bounded by `maxQueued`). */
  queued(): number;
  stop(timeoutMs?: number): Promise<void>;
}

function newPool(url: string, log: Logger, max: number, name: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: name,
    // Bounded waits: a hung database must fail a batch (which is retried), not stall ingest.
    connectionTimeoutMillis: 10_000,
    query_timeout: 60_000,
  });
  // An idle connection dropped by the server (restart, failover) must not crash ingest:
  // the pool replaces it; a failing batch is retried by the batcher.
  pool.on('error', (error) =>
    log.warn({ err: error.message }, 'database connection lost; reconnecting'),
  );
  return pool;
}

async function connectPool(url: string, log: Logger): Promise<pg.Pool> {
  const pool = newPool(url, log, 8, 'takt-ingest');
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    const where = new URL(url).host; // never the password
    throw new IngestError(
      'INGEST_ERR_DB_CONNECT',
      INGEST_ERRORS.INGEST_ERR_DB_CONNECT(where, (error as Error).message),
    );
  }
  return pool;
}

async function listen(app: HttpApp['app'], host: string, port: number): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new IngestError(
        'INGEST_ERR_PORT_IN_USE',
        INGEST_ERRORS.INGEST_ERR_PORT_IN_USE(host, port),
      );
    }
    throw error;
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** A gateway clock further off than this is flagged (its offset is on /api/health). */
export { CLOCK_SKEW_LIMIT_MS } from './domain/time-horizon';

/** What the steps make, each set by its step's start (in the order of ingestSteps). */
interface Parts {
  log: Logger;
  pool: pg.Pool;
  /** The writer lanes' connections, one per lane (pipelineStep). */
  writerPool: pg.Pool;
  /** Computes the batches' marked minutes into the rollups (pipelineStep). */
  rollupFlusher: RollupFlusher;
  storage: PluginContext['storage'];
  plant: PluginContext['plant'];
  http: HttpApp;
  alertRuntime: AlertRuntime;
  runner: ConsumerRunner;
  planning: PlanService;
  batcher: WriterLanes;
  /** HTTP scans (a station's browser) in the pipeline, answered after their COMMIT. */
  waiters: CommitWaiters;
  subscriber: ReturnType<typeof startSubscriber>;
  sparkplug?: RunningSparkplugHost | undefined;
  port: number;
}

/** Settings every step shares, with their defaults filled in. */
interface Settings {
  instance: string;
  storage: StorageSettings;
  alerts: AlertSettings;
  auth: AuthSettings;
  writer: WriterMetrics;
  status: { subscribed: boolean };
}

function settingsOf(opts: IngestOptions): Settings {
  return {
    instance: opts.mqtt.clientId ?? 'takt-ingest',
    storage: opts.storage ?? DEFAULT_STORAGE,
    alerts: {
      now: Date.now,
      tickMs: 1000,
      pollMs: 30_000,
      delivery: DEFAULT_DELIVERY,
      env: process.env,
      ...opts.alerts,
    },
    auth: {
      sessionTtlMs: 12 * 3_600_000,
      loginMaxFailures: 5,
      loginWindowMs: 15 * 60_000,
      loginAccountMaxFailures: 10,
      secure: false,
      ...opts.auth,
    },
    writer: new WriterMetrics(),
    status: { subscribed: false },
  };
}

/**
 * Ingest's start-up order, written once; shutdown is the reverse (Lifecycle), each stop
 * bounded. Consumers start before the routes that wait for them and before the pipeline that
 * feeds them; the pipeline stops first, so its last batches still reach the consumers.
 */
function ingestSteps(opts: IngestOptions, parts: Parts, settings: Settings): Step[] {
  return [
    databaseStep(opts, parts, settings), // migrations, storage engine, plant model; pool last
    upkeepStep(parts), // retention and partitions, hourly
    httpServerStep(opts, parts, settings), // fastify and socket.io made, not listening
    alertsStep(parts, settings), // clock rules, polls and deliveries
    consumersStep(opts, parts, settings), // work orders, derived states, live push, alerts
    planningStep(opts, parts, settings), // the plan of open orders, made again on changes
    listenStep(opts, parts, settings), // routes registered (auth first), then the port opens
    reportsStep(opts, parts, settings), // shift reports and daily summaries pushed to channels
    importWatchStep(opts, parts), // the watched import folder, if one is set
    pipelineStep(opts, parts, settings), // MQTT -> batcher -> writer -> consumers
    sparkplugStep(
      opts.mqtt,
      () => ({ ...parts, push: (i) => parts.batcher.push(i) }),
      (host) => (parts.sparkplug = host),
    ), // Sparkplug B -> the same batcher
  ];
}

function databaseStep(opts: IngestOptions, parts: Parts, settings: Settings): Step {
  const { log, pool } = parts;
  return {
    name: 'database',
    start: async () => {
      await migrate(pool, log, { engine: settings.storage.engine });
      parts.storage = { engine: await storageEngine(pool), settings: settings.storage };
      parts.plant = opts.plantFile ? loadYamlConfig(opts.plantFile, plantModelSchema) : undefined;
      if (parts.plant) await applyPlantModel(pool, parts.plant);
    },
    stop: () => pool.end(),
    stopWithinMs: 2000,
  };
}

function httpServerStep(opts: IngestOptions, parts: Parts, settings: Settings): Step {
  return {
    name: 'http server', // the listen step closes it
    start: async () => {
      parts.http = createHttpApp(parts.log, opts.dashboardDir ?? DEFAULT_DASHBOARD_DIR, {
        trustProxy: opts.trustProxy,
        secure: settings.auth.secure,
        logLevel: opts.httpLogLevel,
      });
    },
    stopWithinMs: 0,
  };
}

function alertsStep(parts: Parts, settings: Settings): Step {
  return {
    name: 'alerts',
    start: async () => {
      const { pool, http, log, plant } = parts;
      parts.alertRuntime = await AlertRuntime.start(pool, http.io, log, plant, settings.alerts);
    },
    stop: () => parts.alertRuntime.stop(2000),
    stopWithinMs: 2500,
  };
}

function consumersStep(opts: IngestOptions, parts: Parts, settings: Settings): Step {
  return {
    name: 'consumers', // missed commits of durable consumers are queued first
    start: async () => {
      parts.runner = new ConsumerRunner(consumers, {
        ...opts.consumers,
        instance: settings.instance,
      });
      await parts.runner.start({
        pool: parts.pool,
        io: parts.http.io,
        log: parts.log,
        plant: parts.plant,
        now: settings.alerts.now,
        alerts: parts.alertRuntime,
        alertSettings: settings.alerts,
        liveUpdateMs: opts.liveUpdateMs,
      });
    },
    stop: () => parts.runner.stop(2000),
    stopWithinMs: 2500,
  };
}

function planningStep(opts: IngestOptions, parts: Parts, settings: Settings): Step {
  return {
    name: 'planning', // ingest/src/planning/service.ts: first plan made before the routes
    start: async () => {
      parts.planning = new PlanService(parts.pool, parts.http.io, parts.log, {
        ...DEFAULT_PLAN_SETTINGS,
        ...opts.planning,
        now: settings.alerts.now,
      });
      await parts.planning.start();
    },
    stop: () => parts.planning.stop(),
    stopWithinMs: 2000,
  };
}

function listenStep(opts: IngestOptions, parts: Parts, settings: Settings): Step {
  return {
    name: 'http listen',
    start: async () => {
      const { app, io } = parts.http;
      await registerHttp(app, {
        ...parts,
        io,
        storage: parts.storage,
        status: settings.status,
        settings: settings.auth,
        alerts: settings.alerts,
        writer: settings.writer,
        consumers: parts.runner,
        mqtt: opts.mqtt,
        configSigningKeyFile: opts.configSigningKeyFile ?? process.env.TAKT_CONFIG_SIGNING_KEY_FILE,
      });
      parts.port = await listen(app, opts.http.host, opts.http.port);
    },
    // socket.io first: app.close() waits for its websockets otherwise.
    stop: async () => {
      // Resolves once the HTTP server has closed too (socket.io 4.8 `close`), as its callback did.
      await parts.http.io.close();
      await parts.http.app.close();
    },
    stopWithinMs: 2000,
  };
}

function reportsStep(opts: IngestOptions, parts: Parts, settings: Settings): Step {
  let scheduler: ReportScheduler | undefined;
  return {
    name: 'reports', // ingest/src/reports/scheduler.ts; only with a plant model that asks
    start: async () => {
      const { plant } = parts;
      if (!plant?.reports?.shiftEnd && !plant?.reports?.daily) return;
      // Through the alerts' delivery queue: one rate limit per channel for everything.
      scheduler = new ReportScheduler(
        parts.pool,
        plant,
        parts.log,
        parts.alertRuntime.deliverer.queue,
        {
          now: settings.alerts.now,
          tickMs: opts.reportTickMs ?? 30_000,
          publicUrl: settings.auth.publicUrl,
        },
      );
      scheduler.start();
    },
    stop: () => scheduler?.stop(2000),
    stopWithinMs: 2500,
  };
}

function importWatchStep(opts: IngestOptions, parts: Parts): Step {
  let watch: { stop: () => Promise<void> } | undefined;
  return {
    name: 'import folder',
    start: async () => {
      if (opts.importWatch) watch = await startImportWatch(parts.pool, parts.log, opts.importWatch);
    },
    stop: () => watch?.stop(),
    stopWithinMs: 2000,
  };
}

function upkeepStep(parts: Parts): Step {
  let upkeep: { stop: () => void } | undefined;
  return {
    name: 'storage upkeep', // retention and partitions, hourly
    start: async () => {
      upkeep = await startUpkeep(parts);
    },
    stop: () => upkeep?.stop(),
    stopWithinMs: 100,
  };
}

/**
 * Writer lanes by default: two connections keep both cores of a small server busy, where one
 * left PostgreSQL waiting on the writer and the writer on PostgreSQL (docs/decisions.md
 * "Issue 22 — writer lanes").
 */
export const DEFAULT_WRITERS = 2;
/** A batch is written once its oldest message has waited this long (or it holds 5,000). */
export const DEFAULT_BATCH_MS = 100;

/** MQTT -> writer lanes (batchers) -> writer -> consumers, and the gateways' acks after COMMIT. */
function pipelineStep(opts: IngestOptions, parts: Parts, settings: Settings): Step {
  const { log } = parts;
  const { writer, status } = settings;
  const quarantine = {
    horizon: opts.horizon ?? DEFAULT_HORIZON,
    rawRetentionDays: settings.storage.retentionDays.raw,
  };
  const maxQueued = opts.maxQueued ?? 20_000;
  // Made now, before the routes: until the pipeline starts a station's scans are refused (busy).
  parts.waiters = new CommitWaiters(
    () => parts.batcher && ((item) => parts.batcher.push(item)),
    () => parts.batcher.size < maxQueued,
  );
  const flush = (lane: number) => {
    const writeOptions = {
      quarantine,
      commitLog: { instance: writerLog(settings.instance, lane) },
      deferRollups: true,
    };
    return (items: IngestItem[]) => flushLane(items, writeOptions);
  };
  const flushLane = async (
    items: IngestItem[],
    writeOptions: Parameters<typeof writeBatchIsolating>[2],
  ) => {
    const started = performance.now();
    const result = await writeBatchIsolating(parts.writerPool, items, writeOptions).catch(
      (error: unknown) => {
        writer.recordFailure();
        throw error;
      },
    );
    writer.recordBatch(items, performance.now() - started);
    if (result.duplicates > 0 || result.lateCounts > 0) {
      log.info(
        { duplicates: result.duplicates, lateCounts: result.lateCounts },
        'batch had duplicates or late counts',
      );
    }
    parts.runner.publish(batchCommitted(result, Date.now()));
    // Only now, after COMMIT, may the gateways forget these messages.
    for (const { site, gatewayId, ranges } of committedRanges(items))
      if (!isWebGateway(gatewayId)) parts.subscriber.ack(site, gatewayId, ranges, Date.now());
    parts.waiters.committed(items);
  };
  return {
    name: 'pipeline',
    start: async () => {
      const clockWatch = new ClockWatch(log);
      const lanes = Math.max(1, Math.floor(opts.batch?.writers ?? DEFAULT_WRITERS));
      // A connection per lane, apart from the pool the API and the consumers share: a burst of
      // board requests must not make a batch wait for a connection, nor its gateways for their
      // acks (docs/decisions.md "Issue 22 — the writer's own connections").
      parts.writerPool = newPool(opts.databaseUrl, log, lanes, 'takt-ingest-writer');
      parts.rollupFlusher = startRollupFlusher({
        pool: parts.pool,
        log,
        everyMs: opts.rollupFlushMs ?? DEFAULT_ROLLUP_FLUSH_MS,
      });
      parts.batcher = new WriterLanes(
        Array.from(
          { length: lanes },
          (_, lane) =>
            new Batcher<IngestItem>({
              maxItems: opts.batch?.maxItems ?? 5000,
              maxDelayMs: opts.batch?.maxDelayMs ?? DEFAULT_BATCH_MS,
              log,
              flush: flush(lane),
            }),
        ),
      );
      writer.queueDepth = () => parts.batcher.size;
      parts.subscriber = startSubscriber({
        ...opts.mqtt,
        log,
        onItem: (item) => {
          clockWatch.observe(item);
          parts.batcher.push(item);
        },
        hasRoom: () => parts.batcher.size < maxQueued,
      });
      void parts.subscriber.ready.then(() => (status.subscribed = true));
    },
    stop: async () => {
      await parts.subscriber.stop(1000);
      const left = await parts.batcher.drain(2500);
      if (left > 0) log.error({ left }, 'items not written at shutdown');
      await parts.writerPool.end();
      await parts.rollupFlusher.stop();
    },
    stopWithinMs: 5000,
  };
}

/** MQTT -> validate -> dedupe -> batch -> PostgreSQL, plus the HTTP API and socket.io. */
export async function startIngest(opts: IngestOptions): Promise<RunningIngest> {
  const log = opts.log ?? pino({ name: 'ingest' });
  const pool = await connectPool(opts.databaseUrl, log);
  const parts = { log, pool } as Parts;
  const life = new Lifecycle(log);
  try {
    await life.start(ingestSteps(opts, parts, settingsOf(opts)));
  } catch (error) {
    await life.stop();
    if (!pool.ended) await pool.end();
    throw error;
  }
  const url = `http://${opts.http.host}:${parts.port}`;
  log.info({ url }, 'ingest listening');
  return {
    url,
    port: parts.port,
    pool,
    subscribed: Promise.all([parts.subscriber.ready, parts.sparkplug?.ready]).then(() => {}),
    routes: parts.http.routes,
    queued: () => parts.batcher.size,
    async stop(timeoutMs = 5000) {
      if (!(await within(life.stop(), timeoutMs)))
        log.warn({ timeoutMs }, 'ingest did not stop in time');
    },
  };
}
