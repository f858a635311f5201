import type { PoolClient } from 'pg';
import { INGEST_ERRORS, IngestError } from '../errors';

/** Where the time series live: TimescaleDB hypertables or plain PostgreSQL partitions. */
export type StorageEngine = 'postgres' | 'timescaledb';
/** What the operator asked for (`TAKT_STORAGE_ENGINE`); `auto` takes TimescaleDB when present. */
export type StorageEngineChoice = StorageEngine | 'auto';

/**
 * Decides the engine once per database. A database already set up keeps its engine (the
 * schemas differ: converting hypertables to partitions is a data migration, not a restart).
 * A new one gets TimescaleDB when the extension can be created, plain PostgreSQL otherwise.
 */
export async function detectEngine(
  client: PoolClient,
  wanted: StorageEngineChoice = 'auto',
): Promise<{ engine: StorageEngine; why: string }> {
  const recorded = await recordedEngine(client);
  if (recorded) {
    if (wanted !== 'auto' && wanted !== recorded)
      throw new IngestError(
        'INGEST_ERR_STORAGE_ENGINE',
        INGEST_ERRORS.INGEST_ERR_STORAGE_ENGINE(
          `this database was set up for ${recorded}, TAKT_STORAGE_ENGINE asks for ${wanted}`,
        ),
      );
    if (recorded === 'timescaledb' && !(await extensionInstalled(client)))
      throw new IngestError(
        'INGEST_ERR_STORAGE_ENGINE',
        INGEST_ERRORS.INGEST_ERR_STORAGE_ENGINE(
          'this database was set up for TimescaleDB but the extension is not installed in it',
        ),
      );
    return { engine: recorded, why: 'recorded in takt_storage' };
  }
  if (wanted === 'postgres') return { engine: 'postgres', why: 'TAKT_STORAGE_ENGINE=postgres' };
  if (await extensionInstalled(client))
    return { engine: 'timescaledb', why: 'extension installed' };
  const available = await client.query(
    "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'",
  );
  let reason = 'extension not available on this server';
  if ((available.rowCount ?? 0) > 0) {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
      return { engine: 'timescaledb', why: 'extension created' };
    } catch (error) {
      // e.g. not in shared_preload_libraries, or no right to create extensions
      reason = `CREATE EXTENSION failed: ${(error as Error).message}`;
    }
  }
  if (wanted === 'timescaledb')
    throw new IngestError(
      'INGEST_ERR_STORAGE_ENGINE',
      INGEST_ERRORS.INGEST_ERR_STORAGE_ENGINE(`TimescaleDB asked for but ${reason}`),
    );
  return { engine: 'postgres', why: reason };
}

async function extensionInstalled(client: PoolClient): Promise<boolean> {
  const { rowCount } = await client.query(
    "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'",
  );
  return (rowCount ?? 0) > 0;
}

async function recordedEngine(client: PoolClient): Promise<StorageEngine | undefined> {
  const { rows } = await client.query<{ engine: StorageEngine | null }>(
    "SELECT CASE WHEN to_regclass('takt_storage') IS NULL THEN NULL ELSE 'x' END AS engine",
  );
  if (rows[0]?.engine === null) return undefined;
  const stored = await client.query<{ engine: StorageEngine }>(
    'SELECT engine FROM takt_storage LIMIT 1',
  );
  return stored.rows[0]?.engine;
}

/** The engine recorded by the migrations (after `migrate`). */
export async function storageEngine(client: {
  query: PoolClient['query'];
}): Promise<StorageEngine> {
  const { rows } = await client.query<{ engine: StorageEngine }>(
    'SELECT engine FROM takt_storage LIMIT 1',
  );
  return rows[0]?.engine ?? 'postgres';
}
