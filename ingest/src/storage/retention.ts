import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { pruneCommitLog } from '../consumers/progress';
import { applyTimescalePolicies, maintainStorage } from './maintenance';
import type { StorageEngine } from './engine';
import type { StorageSettings } from './settings';

/** How long (gateway, seq) pairs are kept for dedupe: longer than any replay a gateway does. */
export const DEDUPE_WINDOW_DAYS = 14;
const EVERY_MS = 60 * 60 * 1000;

/** Keeps the dedupe table bounded: one row per message would otherwise grow forever. */
export async function pruneDedupe(pool: Pool, days = DEDUPE_WINDOW_DAYS): Promise<number> {
  const { rowCount } = await pool.query(
    'DELETE FROM received_messages WHERE received_at < now() - make_interval(days => $1)',
    [days],
  );
  return rowCount ?? 0;
}

/** Dead letters older than `days` go (0 keeps them forever); the API reads what is left. */
export async function pruneDeadLetters(pool: Pool, days: number): Promise<number> {
  if (days === 0) return 0;
  const { rowCount } = await pool.query(
    'DELETE FROM dead_letters WHERE received_at < now() - make_interval(days => $1)',
    [days],
  );
  return rowCount ?? 0;
}

/**
 * Hourly upkeep. The dedupe table is pruned; on plain PostgreSQL the series partitions of the
 * next days are made and those past retention dropped whole; dead letters are kept
 * `deadLetterDays` (TAKT_RETENTION_DEAD_LETTERS_DAYS). On TimescaleDB the policies are
 * set once at start and the extension's own jobs do the rest.
 */
export async function startUpkeep({
  pool,
  log,
  storage,
}: {
  pool: Pool;
  log: Logger;
  storage: { engine: StorageEngine; settings: StorageSettings };
}): Promise<{ stop: () => void }> {
  if (storage.engine === 'timescaledb') {
    await applyTimescalePolicies((text, values) => pool.query(text, values), storage.settings);
    log.info({ retentionDays: storage.settings.retentionDays }, 'TimescaleDB policies set');
  }
  const round = async () => {
    try {
      await pruneCommitLog(pool, DEDUPE_WINDOW_DAYS);
      const rowCount = await pruneDedupe(pool);
      if (rowCount)
        log.info({ rows: rowCount, days: DEDUPE_WINDOW_DAYS }, 'pruned the dedupe table');
      const deadLetters = await pruneDeadLetters(pool, storage.settings.deadLetterDays);
      if (deadLetters)
        log.info(
          { rows: deadLetters, days: storage.settings.deadLetterDays },
          'pruned dead letters',
        );
      const { made, dropped } = await maintainStorage(pool, storage.engine, storage.settings);
      if (made > 0 || dropped.length > 0)
        log.info({ made, dropped }, 'series partitions made ahead and dropped past retention');
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'storage upkeep failed; next hour again');
    }
  };
  const timer = setInterval(() => void round(), EVERY_MS);
  timer.unref();
  await round();
  return { stop: () => clearInterval(timer) };
}
