import { resolve } from 'node:path';
import { envPort } from '@takt/protocol';
import { startEmbeddedPostgres } from './embedded';

/**
 * The embedded PostgreSQL as its own process, for `npm start`: started in its own process
 * group so that the terminal's Ctrl-C does not reach the database before ingest has
 * drained into it. Prints `READY <url>` when the database is up; SIGTERM stops it.
 * Settings: TAKT_PG_DATA_DIR (.takt/pg), TAKT_PG_PORT (54329), TAKT_PG_DATABASE (takt).
 */
async function main(): Promise<void> {
  const dataDir = process.env.TAKT_PG_DATA_DIR ?? '.takt/pg';
  const db = await startEmbeddedPostgres({
    dataDir,
    port: envPort('TAKT_PG_PORT', 54329)!,
  });
  const url = await db.createDatabase(process.env.TAKT_PG_DATABASE ?? 'takt');
  if (db.dataDir !== resolve(dataDir))
    process.stderr.write(
      `as root, PostgreSQL runs as the user postgres, which cannot reach ${resolve(dataDir)}: data in ${db.dataDir}\n`,
    );
  process.stdout.write(`READY ${url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void db.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
