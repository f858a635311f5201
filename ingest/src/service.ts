import { fileURLToPath } from 'node:url';
import { loadYamlConfig, plantModelSchema } from '@takt/protocol';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { createHttpApp, type HttpApp } from './app';
import { migrate } from './db/migrate';
import { INGEST_ERRORS, IngestError } from './errors';
import { Batcher } from './pipeline/batcher';
import { WriterMetrics } from './pipeline/metrics';
import type { IngestItem } from './pipeline/items';
import { ClockWatch } from './pipeline/clock-watch';
import { startSubscriber } from './pipeline/subscriber';
import { committedRanges, writeBatchIsolating, type WriteResult } from './pipeline/writer';
import { applyPlantModel } from './plant';
import { plugins } from './http';
import type { AuthSettings } from './http/types';
import type { AlertSettings } from './http/types';
import { DEFAULT_DELIVERY } from './alerts/delivery/deliverer';
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
  plantFile?: string | undefined;
  dashboardDir?: string | undefined;
  batch?: { maxItems: number; maxDelayMs: number };
  alerts?: Partial<AlertSettings>;
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
  trustProxy?: boolean | undefined;
  /** Level of the HTTP server's own log lines (default warn). */
  httpLogLevel?: string | undefined;
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

async function connectPool(url: string, log: Logger): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 8,
    application_name: 'takt-ingest',
    // Bounded waits: a hung database must fail a batch (which is retried), not stall ingest.
    connectionTimeoutMillis: 10_000,
    query_timeout: 60_000,
  });
  // An idle connection dropped by the server (restart, failover) must not crash ingest:
  // the pool replaces it; a failing batch is retried by the batcher.
  pool.on('error', (error) =>
    log.warn({ err: error.message }, 'database connection lost; reconnecting'),
  );
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

async function listen(
  app: ReturnType<typeof createHttpApp>['app'],
  host: string,
  port: number,
): Promise<number> {
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

/** MQTT -> validate -> dedupe -> batch -> PostgreSQL, plus the HTTP API and socket.io. */
export async function startIngest(opts: IngestOptions): Promise<RunningIngest> {
  const log = opts.log ?? pino({ name: 'ingest' });
  const pool = await connectPool(opts.databaseUrl, log);
  const stops: (() => Promise<void> | void)[] = [];
  try {
    const storageSettings = opts.storage ?? DEFAULT_STORAGE;
    await migrate(pool, log, { engine: storageSettings.engine });
    const storage = { engine: await storageEngine(pool), settings: storageSettings };
    const writer = new WriterMetrics();
    const plant = opts.plantFile ? loadYamlConfig(opts.plantFile, plantModelSchema) : undefined;
    if (plant) await applyPlantModel(pool, plant);

    const settings: AuthSettings = {
      sessionTtlMs: 12 * 3_600_000,
      loginMaxFailures: 5,
      loginWindowMs: 15 * 60_000,
      secure: false,
      ...opts.auth,
    };
    const { app, io, routes } = createHttpApp(log, opts.dashboardDir ?? DEFAULT_DASHBOARD_DIR, {
      trustProxy: opts.trustProxy,
      secure: settings.secure,
      logLevel: opts.httpLogLevel,
    });
    const batchListeners: ((batch: WriteResult) => void)[] = [];
    const status = { subscribed: false };
    const ctx = {
      status,
      settings,
      writer,
      storage,
      pool,
      io,
      log,
      onBatch: (fn: (batch: WriteResult) => void) => batchListeners.push(fn),
      onStop: (fn: () => Promise<void> | void) => stops.push(fn),
      plant,
      alerts: {
        now: Date.now,
        tickMs: 1000,
        pollMs: 30_000,
        delivery: DEFAULT_DELIVERY,
        env: process.env,
        ...opts.alerts,
      },
      touch: (machines: Iterable<string>) => {
        const batch: WriteResult = {
          machines: new Set(machines),
          duplicates: 0,
          deadLetters: 0,
          lateCounts: 0,
          scans: [],
          counts: [],
          metrics: [],
          messages: [],
        };
        for (const listener of batchListeners) listener(batch);
      },
    };
    for (const plugin of plugins) await plugin(app, ctx);

    const quarantine = {
      horizon: opts.horizon ?? DEFAULT_HORIZON,
      rawRetentionDays: storageSettings.retentionDays.raw,
    };
    const clockWatch = new ClockWatch(log);
    const batcher = new Batcher<IngestItem>({
      maxItems: opts.batch?.maxItems ?? 5000,
      maxDelayMs: opts.batch?.maxDelayMs ?? 100,
      log,
      flush: async (items) => {
        const started = performance.now();
        const result = await writeBatchIsolating(pool, items, { quarantine }).catch(
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
        for (const listener of batchListeners) listener(result);
        // Only now, after COMMIT, may the gateways forget these messages.
        for (const { site, gatewayId, ranges } of committedRanges(items))
          subscriber.ack(site, gatewayId, ranges, Date.now());
      },
    });
    writer.queueDepth = () => batcher.size;
    const port = await listen(app, opts.http.host, opts.http.port);
    // socket.io first: app.close() waits for its websockets otherwise.
    stops.unshift(async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await app.close();
    });
    const maxQueued = opts.maxQueued ?? 20_000;
    const subscriber = startSubscriber({
      ...opts.mqtt,
      log,
      onItem: (item) => {
        clockWatch.observe(item);
        batcher.push(item);
      },
      hasRoom: () => batcher.size < maxQueued,
    });
    void subscriber.ready.then(() => (status.subscribed = true));
    stops.unshift(async () => {
      await subscriber.stop(1000);
      const left = await batcher.drain(2500);
      if (left > 0) log.error({ left }, 'items not written at shutdown');
    });
    const url = `http://${opts.http.host}:${port}`;
    log.info({ url }, 'ingest listening');
    return {
      url,
      port,
      pool,
      subscribed: subscriber.ready,
      routes,
      queued: () => batcher.size,
      async stop(timeoutMs = 5000) {
        const all = (async () => {
          for (const stop of stops) await stop();
          await pool.end();
        })();
        const timer = new Promise<'timeout'>((r) =>
          setTimeout(() => r('timeout'), timeoutMs).unref(),
        );
        if ((await Promise.race([all, timer])) === 'timeout')
          log.warn({ timeoutMs }, 'ingest did not stop in time');
      },
    };
  } catch (error) {
    for (const stop of stops) await Promise.resolve(stop()).catch(() => undefined);
    await pool.end();
    throw error;
  }
}
