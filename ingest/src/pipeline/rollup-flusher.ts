import type { Pool } from 'pg';
import type { Logger } from 'pino';

/** How often the flusher computes the marked minutes that are over: `TAKT_ROLLUP_FLUSH_MS`. */
export const DEFAULT_ROLLUP_FLUSH_MS = 5000;
/** Marks (one per batch) taken per transaction: a backlog is computed in bounded steps. */
const ROWS_PER_FLUSH = 500;
/**
 * (machine, minute) pairs computed per transaction, about 10 series each, with a pause of
 * PAUSE_MS before the next: the end of a minute of 1,000 machines is twenty transactions of
 * about 60–150 ms under load over about five seconds, not one burst (everything at once at
 * stop). 250 pairs took 250–620 ms each and lined up with most slow batches at minute ends
 * (docs/decisions.md "Issue 22 — the seventh pass").
 */
export const PAIRS_PER_FLUSH = 50;
const PAUSE_MS = 150;

/**
 * Computes the marked minutes that are over from the raw samples and puts the open ones back
 * as one mark (`everything`: computes those too; `takt_rollup_flush`,
 * 056_rollup_marks.postgres.sql), in transactions of at most ROWS_PER_FLUSH marks and
 * PAIRS_PER_FLUSH pairs, until none that is over is left or `stopping()`; returns the marks
 * taken. Another instance's flush under way, or a direct write, takes the turn instead (this
 * one then returns early).
 */
export async function flushRollups(
  pool: Pool,
  everything = false,
  stopping: () => boolean = () => false,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await pool.query<{ taken: number; over_left: number }>(
      'SELECT taken, over_left FROM takt_rollup_flush($1, $2, $3)',
      [ROWS_PER_FLUSH, everything, PAIRS_PER_FLUSH],
    );
    const { taken, over_left: left } = rows[0]!;
    total += taken;
    if ((taken < ROWS_PER_FLUSH && left === 0) || stopping()) return total;
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}

export interface RollupFlusher {
  /** Stops the timer and computes every marked minute, open minutes too. */
  stop: () => Promise<void>;
}

/**
 * Ingest's writer leaves the minute and hour rollups to this flusher, every `everyMs`
 * (docs/decisions.md "Issue 22 — rollups once a minute is over", "Issue 22 — the sixth
 * pass"). A failed flush leaves the marks for the next: nothing is lost, only later.
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
    flushRollups(pool, everything, () => stopped && !everything).then(
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
