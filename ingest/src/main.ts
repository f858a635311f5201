import { envNumber, envPort } from '@takt/protocol';
import { pino } from 'pino';
import { parseTrustProxy } from './auth/address-list';
import { REDACT_PATHS } from './auth/headers';
import { latencyFromEnv } from './latency-settings';
import { DEFAULT_ROLLUP_FLUSH_MS } from './pipeline/rollup-flusher';
import { DEFAULT_WRITERS, startIngest } from './service';
import { horizonFromEnv, storageSettingsFromEnv } from './storage/settings';

/**
 * Ingest as its own process. Settings (environment): DATABASE_URL (required),
 * TAKT_MQTT_URL (mqtt://127.0.0.1:1883), TAKT_MQTT_USERNAME, TAKT_MQTT_PASSWORD,
 * TAKT_MQTT_CLIENT_ID (takt-ingest), TAKT_MQTT_TOPICS (comma-separated; takt/v1/#),
 * TAKT_HTTP_HOST (127.0.0.1), TAKT_HTTP_PORT (8080), TAKT_PLANT_FILE, TAKT_DASHBOARD_DIR,
 * TAKT_HTTPS (false), TAKT_TRUST_PROXY (false; a hop count or the proxies' addresses, never
 * `true`), TAKT_PUBLIC_URL (socket.io's allowed Origin; unset: the request's own host),
 * TAKT_SESSION_HOURS (12), TAKT_LOGIN_MAX_FAILURES (5 per address),
 * TAKT_LOGIN_ACCOUNT_MAX_FAILURES (10 per user name), TAKT_LOGIN_WINDOW_S (900),
 * TAKT_WEBHOOK_ALLOW (private webhook targets allowed; read by alerts/delivery/target-guard.ts),
 * TAKT_INGEST_MAX_QUEUED (20000 messages held in memory at most; backpressure past it),
 * TAKT_INGEST_WRITERS (2 writer lanes, each its own database connection),
 * TAKT_INGEST_BATCH_MS (100: a batch is written once its oldest message waited this long),
 * TAKT_LIVE_UPDATE_MS (25: a screen gets a live update at most this often),
 * TAKT_ROLLUP_FLUSH_MS (5000: minutes that are over reach the minute and hour rollups this often);
 * storage: TAKT_STORAGE_ENGINE, TAKT_RETENTION_RAW_DAYS, TAKT_RETENTION_1M_DAYS,
 * TAKT_RETENTION_1H_DAYS, TAKT_COMPRESS_AFTER_DAYS, TAKT_RETENTION_DEAD_LETTERS_DAYS;
 * timestamp horizon: TAKT_HORIZON_AHEAD_S, TAKT_HORIZON_MAX_AGE_DAYS (src/storage/settings.ts);
 * watched import folder: TAKT_IMPORT_WATCH_DIR (unset: off), TAKT_IMPORT_WATCH_MAPPING
 * (kingdee), TAKT_IMPORT_WATCH_POLL_S (10).
 */
const log = pino({
  name: 'ingest',
  level: process.env.LOG_LEVEL ?? 'info',
  redact: { paths: REDACT_PATHS, censor: '[redacted]' }, // no secrets in logs (issue 9)
});

function envFlag(name: string): boolean {
  const value = process.env[name];
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new Error(`${name} must be true or false, not "${value}"`);
}

function envUrl(name: string): string | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new Error(
      `${name} must be the dashboard's address, e.g. https://takt.plant.example, not "${value}"`,
    );
  return value;
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl)
    throw new Error('set DATABASE_URL (npm start runs an embedded PostgreSQL for you)');
  const latency = latencyFromEnv();
  const ingest = await startIngest({
    databaseUrl,
    mqtt: {
      url: process.env.TAKT_MQTT_URL ?? 'mqtt://127.0.0.1:1883',
      username: process.env.TAKT_MQTT_USERNAME,
      password: process.env.TAKT_MQTT_PASSWORD,
      // One client id per instance (persistent sessions are per id); a subtree per instance.
      clientId: process.env.TAKT_MQTT_CLIENT_ID || undefined,
      topics: process.env.TAKT_MQTT_TOPICS?.split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    },
    http: {
      host: process.env.TAKT_HTTP_HOST ?? '127.0.0.1',
      port: envPort('TAKT_HTTP_PORT', 8080)!,
    },
    plantFile: process.env.TAKT_PLANT_FILE,
    dashboardDir: process.env.TAKT_DASHBOARD_DIR,
    trustProxy: parseTrustProxy('TAKT_TRUST_PROXY', process.env.TAKT_TRUST_PROXY),
    auth: {
      secure: envFlag('TAKT_HTTPS'),
      sessionTtlMs: envNumber('TAKT_SESSION_HOURS', 12, 0.1, 24 * 90) * 3_600_000,
      loginMaxFailures: envNumber('TAKT_LOGIN_MAX_FAILURES', 5, 1, 1000),
      loginWindowMs: envNumber('TAKT_LOGIN_WINDOW_S', 900, 1, 86_400) * 1000,
      loginAccountMaxFailures: envNumber('TAKT_LOGIN_ACCOUNT_MAX_FAILURES', 10, 1, 1000),
      publicUrl: envUrl('TAKT_PUBLIC_URL'),
    },
    ...(process.env.TAKT_INGEST_MAX_QUEUED
      ? { maxQueued: Number(process.env.TAKT_INGEST_MAX_QUEUED) }
      : {}),
    batch: {
      writers: envNumber('TAKT_INGEST_WRITERS', DEFAULT_WRITERS, 1, 16),
      maxDelayMs: latency.batchMs,
    },
    liveUpdateMs: latency.liveUpdateMs,
    rollupFlushMs: envNumber('TAKT_ROLLUP_FLUSH_MS', DEFAULT_ROLLUP_FLUSH_MS, 100, 60_000),
    storage: storageSettingsFromEnv(),
    horizon: horizonFromEnv(),
    importWatch: process.env.TAKT_IMPORT_WATCH_DIR
      ? {
          dir: process.env.TAKT_IMPORT_WATCH_DIR,
          mapping: process.env.TAKT_IMPORT_WATCH_MAPPING || 'kingdee',
          pollMs: envNumber('TAKT_IMPORT_WATCH_POLL_S', 10, 0.1, 3600) * 1000,
        }
      : undefined,
    log,
  });
  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping');
    void ingest.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  log.fatal(error.message);
  process.exit(1);
});
