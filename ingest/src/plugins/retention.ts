import type { Pool } from 'pg';
import type { IngestPlugin } from './types';

/** How long (gateway, seq) pairs are kept for dedupe: longer than any replay a gateway does. */
export const DEDUPE_WINDOW_DAYS = 14;
const EVERY_MS = 60 * 60 * 1000;

/**
 * Keeps the dedupe table bounded: one row per message would otherwise grow forever. Time-
 * series retention proper (TimescaleDB policies or partition drops) is the storage work.
 */
export async function pruneDedupe(pool: Pool, days = DEDUPE_WINDOW_DAYS): Promise<number> {
  const { rowCount } = await pool.query(
    'DELETE FROM received_messages WHERE received_at < now() - make_interval(days => $1)',
    [days],
  );
  return rowCount ?? 0;
}

export const retentionPlugin: IngestPlugin = (_app, { pool, log, onStop }) => {
  const prune = async () => {
    try {
      const rowCount = await pruneDedupe(pool);
      if (rowCount)
        log.info({ rows: rowCount, days: DEDUPE_WINDOW_DAYS }, 'pruned the dedupe table');
    } catch (error) {
      log.warn(
        { err: (error as Error).message },
        'pruning the dedupe table failed; next hour again',
      );
    }
  };
  const timer = setInterval(() => void prune(), EVERY_MS);
  timer.unref();
  void prune();
  onStop(() => clearInterval(timer));
};
