import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { INGEST_ERRORS, IngestError } from '../errors';
import { withTransaction } from './transaction';
import { detectEngine, type StorageEngine, type StorageEngineChoice } from '../storage/engine';

const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);
// Arbitrary constant: serialises migrations when several ingest instances start at once.
const MIGRATION_LOCK = 7_420_001;

/** `NNN_name.sql` runs on every engine; `NNN_name.<engine>.sql` only on that one. */
const MIGRATION_FILE = /^\d{3}_[^.]+(?:\.(postgres|timescaledb))?\.sql$/;

/** The migration files for an engine, in order. */
export function migrationFiles(engine: StorageEngine): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => {
      const match = MIGRATION_FILE.exec(f);
      return match !== null && (match[1] === undefined || match[1] === engine);
    })
    .sort();
}

export const migrationsDir = MIGRATIONS_DIR;

/**
 * Apply `migrations/NNN_*.sql` in order, each once, each in its own transaction, choosing
 * the storage engine first (logged once: "storage engine: timescaledb|postgres").
 */
export async function migrate(
  pool: Pool,
  log: Logger,
  options: { engine?: StorageEngineChoice } = {},
): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const { engine, why } = await detectEngine(client, options.engine ?? 'auto');
    log.info({ engine, why }, `storage engine: ${engine}`);
    const files = migrationFiles(engine);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map(
        (r) => r.name,
      ),
    );
    for (const file of files.filter((f) => !done.has(f))) {
      try {
        await withTransaction(client, async () => {
          await client.query(readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8'));
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        });
      } catch (error) {
        throw new IngestError(
          'INGEST_ERR_MIGRATION',
          INGEST_ERRORS.INGEST_ERR_MIGRATION(file, (error as Error).message),
        );
      }
      applied.push(file);
      log.info({ migration: file }, 'migration applied');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
