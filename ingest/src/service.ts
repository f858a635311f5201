import { fileURLToPath } from 'node:url';
import { loadYamlConfig, plantModelSchema } from '@takt/protocol';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { createHttpApp } from './app';
import { migrate } from './db/migrate';
import { INGEST_ERRORS, IngestError } from './errors';
import { Batcher } from './pipeline/batcher';
import { WriterMetrics } from './pipeline/metrics';
import type { IngestItem } from './pipeline/items';
import { startSubscriber } from './pipeline/subscriber';
import { writeBatchIsolating, type WriteResult } from './pipeline/writer';
import { applyPlantModel } from './plant';
import { plugins } from './plugins';
import { storageEngine } from './storage/engine';
import { DEFAULT_STORAGE, type StorageSettings } from './storage/settings';

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
  };
  http: { host: string; port: number };
  plantFile?: string | undefined;
  dashboardDir?: string | undefined;
  batch?: { maxItems: number; maxDelayMs: number };
  /** Engine choice, retention and compression (defaults: DEFAULT_STORAGE). */
  storage?: StorageSettings;
  log?: Logger;
}

export interface RunningIngest {
  readonly url: string;
  readonly port: number;
  readonly pool: pg.Pool;
  /** Resolves when ingest is subscribed to the broker. */
  readonly subscribed: Promise<void>;
  readonly routes: readonly { method: string; url: string }[];
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
    if (opts.plantFile)
      await applyPlantModel(pool, loadYamlConfig(opts.plantFile, plantModelSchema));

    const { app, io, routes } = createHttpApp(log, opts.dashboardDir ?? DEFAULT_DASHBOARD_DIR);
    const batchListeners: ((batch: WriteResult) => void)[] = [];
    const status = { subscribed: false };
    const ctx = {
      status,
      writer,
      storage,
      pool,
      io,
      log,
      onBatch: (fn: (batch: WriteResult) => void) => batchListeners.push(fn),
      onStop: (fn: () => Promise<void> | void) => stops.push(fn),
    };
    for (const plugin of plugins) await plugin(app, ctx);

    const batcher = new Batcher<IngestItem>({
      maxItems: opts.batch?.maxItems ?? 5000,
      maxDelayMs: opts.batch?.maxDelayMs ?? 100,
      log,
      flush: async (items) => {
        const started = performance.now();
        const result = await writeBatchIsolating(pool, items).catch((error: unknown) => {
          writer.recordFailure();
          throw error;
        });
        writer.recordBatch(items, performance.now() - started);
        if (result.duplicates > 0 || result.lateCounts > 0) {
          log.info(
            { duplicates: result.duplicates, lateCounts: result.lateCounts },
            'batch had duplicates or late counts',
          );
        }
        for (const listener of batchListeners) listener(result);
      },
    });
    writer.queueDepth = () => batcher.size;
    const port = await listen(app, opts.http.host, opts.http.port);
    // socket.io first: app.close() waits for its websockets otherwise.
    stops.unshift(async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await app.close();
    });
    const subscriber = startSubscriber({ ...opts.mqtt, log, onItem: (item) => batcher.push(item) });
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
