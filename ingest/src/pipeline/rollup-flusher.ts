import type { Pool } from 'pg';
import type { Logger } from 'pino';

/** How often the flusher adds the pending minutes to the rollups: `TAKT_ROLLUP_FLUSH_MS`. */
export const DEFAULT_ROLLUP_FLUSH_MS = 5000;
/** Pending rows (one per batch) taken per transaction: a backlog is added in bounded steps. */
const ROWS_PER_FLUSH = 500;

/**
 * Adds the pending minutes that are over to the rollups and merges the open ones into one
 * pending row (`everything`: adds those too; `takt_rollup_flush`,
 * 055_rollup_pending.postgres.sql), in transactions of at most ROWS_PER_FLUSH rows; returns the
 * rows taken. Another instance's flush under way takes them instead (this one then returns
 * early).
 */
export async function flushRollups(pool: Pool, everything = false): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await pool.query<{ taken: number }>(
      'SELECT takt_rollup_flush($1, $2) AS taken',
      [ROWS_PER_FLUSH, everything],
    );
    total += rows[0]!.taken;
    if (rows[0]!.taken < ROWS_PER_FLUSH) return total;
  }
}

export interface RollupFlusher {
  /** Stops the timer and adds everything pending, open minutes too. */
  stop: () => Promise<void>;
}

/**
 * Ingest's writer leaves the minute and hour rollups to this flusher, every `everyMs`
 * (docs/decisions.md "Issue 22 — rollups once a minute is over"). A failed flush leaves the
 * rows pending for the next: nothing is lost, only later.
 */
export function startRollupFlusher({
  pool,
  log,
  everyMs,
}: {
  pool: Pool;
  log: Logger;
  everyMs: number;
}): RollupFlusher {
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = (everything: boolean) =>
    flushRollups(pool, everything).then(
      () => undefined,
      (error: Error) => log.warn({ err: error.message }, 'rollup flush failed; next round again'),
    );
  const timer = setInterval(() => {
    // A flush still at work: this tick is skipped, the next one takes what came meanwhile.
    if (running || stopped) return;
    running = round(false).finally(() => (running = undefined));
  }, everyMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      await round(true);
    },
  };
}
