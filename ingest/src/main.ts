import { envPort } from '@takt/protocol';
import { pino } from 'pino';
import { startIngest } from './service';
import { storageSettingsFromEnv } from './storage/settings';

/**
 * Ingest as its own process. Settings (environment): DATABASE_URL (required),
 * TAKT_MQTT_URL (mqtt://127.0.0.1:1883), TAKT_MQTT_USERNAME, TAKT_MQTT_PASSWORD,
 * TAKT_HTTP_HOST (127.0.0.1), TAKT_HTTP_PORT (8080), TAKT_PLANT_FILE, TAKT_DASHBOARD_DIR;
 * storage: TAKT_STORAGE_ENGINE, TAKT_RETENTION_RAW_DAYS, TAKT_RETENTION_1M_DAYS,
 * TAKT_RETENTION_1H_DAYS, TAKT_COMPRESS_AFTER_DAYS (src/storage/settings.ts).
 */
const log = pino({ name: 'ingest', level: process.env.LOG_LEVEL ?? 'info' });

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl)
    throw new Error('set DATABASE_URL (npm start runs an embedded PostgreSQL for you)');
  const ingest = await startIngest({
    databaseUrl,
    mqtt: {
      url: process.env.TAKT_MQTT_URL ?? 'mqtt://127.0.0.1:1883',
      username: process.env.TAKT_MQTT_USERNAME,
      password: process.env.TAKT_MQTT_PASSWORD,
    },
    http: {
      host: process.env.TAKT_HTTP_HOST ?? '127.0.0.1',
      port: envPort('TAKT_HTTP_PORT', 8080)!,
    },
    plantFile: process.env.TAKT_PLANT_FILE,
    dashboardDir: process.env.TAKT_DASHBOARD_DIR,
    storage: storageSettingsFromEnv(),
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
