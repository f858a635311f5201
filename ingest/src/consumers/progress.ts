import type { Pool } from 'pg';
import type { MissedCommits } from './types';

/**
 * consumer_progress and batch_commits (migration 034): where a durable consumer stands, and
 * what it missed (docs/decisions.md "Issue 16 — consumers").
 */

/**
 * The commits of this instance after the consumer's mark, merged; null when none. A
 * consumer seen for the first time starts at the newest commit: it inherits no backlog.
 */
export async function missedCommits(
  pool: Pool,
  consumer: string,
  instance: string,
): Promise<MissedCommits | null> {
  await pool.query(
    `INSERT INTO consumer_progress (consumer, instance, commit_id)
     SELECT $1, $2, coalesce(max(id), 0) FROM batch_commits WHERE instance = $2
     ON CONFLICT (consumer, instance) DO NOTHING`,
    [consumer, instance],
  );
  const { rows } = await pool.query<{ from: Date | null; last: string | null; machines: string[] }>(
    `SELECT min(c.from_time) AS from, max(c.id) AS last, array_agg(DISTINCT m) AS machines
       FROM batch_commits c CROSS JOIN unnest(c.machines) AS m
      WHERE c.instance = $2
        AND c.id > (SELECT commit_id FROM consumer_progress WHERE consumer = $1 AND instance = $2)`,
    [consumer, instance],
  );
  const row = rows[0];
  if (!row?.from || row.last === null) return null;
  return {
    fromMs: row.from.getTime(),
    machines: new Set(row.machines),
    lastCommitId: Number(row.last),
  };
}

/**
 * The consumers finished these commits (and every one before each): one statement for all
 * of them, committed without waiting for the WAL flush (`synchronous_commit` off for this
 * transaction only). A mark lost in a database crash only sends its consumer back to an
 * earlier mark, whose commits it redoes: durable consumers are idempotent
 * (consumers/types.ts), and their own work commits durably (docs/decisions.md "Issue 22 —
 * per-commit work").
 */
export async function recordProgressMany(
  pool: Pool,
  instance: string,
  marks: ReadonlyMap<string, number>,
): Promise<void> {
  if (marks.size === 0) return;
  await pool.query(
    `WITH sc AS (SELECT set_config('synchronous_commit', 'off', true))
     INSERT INTO consumer_progress (consumer, instance, commit_id)
     SELECT u.consumer, $1, u.commit_id
       FROM unnest($2::text[], $3::bigint[]) AS u(consumer, commit_id), sc
     ON CONFLICT (consumer, instance) DO UPDATE
       SET commit_id = greatest(consumer_progress.commit_id, EXCLUDED.commit_id), updated_at = now()`,
    [instance, [...marks.keys()], [...marks.values()]],
  );
}

/**
 * Gathers the marks of the consumers that finish at about the same time (one commit reaches
 * every lane at once) into one `recordProgressMany`: a mark asked for while a write is under
 * way goes into the next one. Each caller's promise settles with the write holding its mark.
 */
export class ProgressRecorder {
  private pending = new Map<string, number>();
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly instance: string,
  ) {}

  record(consumer: string, commitId: number): Promise<void> {
    this.pending.set(consumer, Math.max(commitId, this.pending.get(consumer) ?? commitId));
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.running ??= this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    // Let the other lanes that finished on this turn add their marks first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.size > 0) {
      const marks = this.pending;
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        await recordProgressMany(this.pool, this.instance, marks);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error as Error);
      }
    }
    this.running = undefined;
  }
}

/**
 * Drops the commits every consumer of their instance is past, and any older than
 * `maxAgeDays` (a consumer removed from the list would otherwise hold them forever).
 */
export async function pruneCommitLog(pool: Pool, maxAgeDays: number): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM batch_commits c
      WHERE c.id <= (SELECT min(p.commit_id) FROM consumer_progress p WHERE p.instance = c.instance)
         OR c.committed_at < now() - make_interval(days => $1)`,
    [maxAgeDays],
  );
  return rowCount ?? 0;
}
