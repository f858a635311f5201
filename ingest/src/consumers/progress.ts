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

/** The consumer finished this commit (and every one before it). */
export async function recordProgress(
  pool: Pool,
  consumer: string,
  instance: string,
  commitId: number,
): Promise<void> {
  await pool.query(
    `INSERT INTO consumer_progress (consumer, instance, commit_id) VALUES ($1, $2, $3)
     ON CONFLICT (consumer, instance) DO UPDATE
       SET commit_id = greatest(consumer_progress.commit_id, EXCLUDED.commit_id), updated_at = now()`,
    [consumer, instance, commitId],
  );
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
