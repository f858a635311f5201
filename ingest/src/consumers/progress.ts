import type { Pool } from 'pg';
import type { MissedCommits } from './types';

/**
 * consumer_progress and batch_commits (migration 034): where a durable consumer stands, and
 * what it missed (docs/decisions.md "Issue 16 — consumers").
 */

/**
 * The commit log of an ingest instance's writer lane (docs/decisions.md "Issue 22 — writer
 * lanes"): lane 0 logs as the instance itself, lane k as `<instance>#w<k>`. Each lane commits
 * in its own order, so each is a log of its own with its own marks in consumer_progress.
 */
export function writerLog(instance: string, lane: number): string {
  return lane === 0 ? instance : `${instance}#w${lane}`;
}

/** SQL: the instance whose writer lane logged as `log` (`writerLog` undone). */
const instanceOf = (log: string) => `regexp_replace(${log}, '#w[0-9]+$', '')`;

/** The logs of every writer lane an instance ever had: the instance and `<instance>#w<k>`. */
const LANE_LOGS = `${instanceOf('c.instance')} = $2`;

/**
 * The commits of this instance's writer lanes after the consumer's marks, merged; null when
 * none. A consumer seen for the first time starts at each lane's newest commit: it inherits
 * no backlog. A lane without a mark of a consumer seen before (a lane added since) is caught
 * up from its first commit.
 */
export async function missedCommits(
  pool: Pool,
  consumer: string,
  instance: string,
): Promise<MissedCommits | null> {
  await pool.query(
    `WITH first AS (
       INSERT INTO consumer_progress (consumer, instance, commit_id)
       SELECT $1, $2, coalesce(max(c.id) FILTER (WHERE c.instance = $2), 0)
         FROM batch_commits c WHERE ${LANE_LOGS}
       ON CONFLICT (consumer, instance) DO NOTHING RETURNING 1
     )
     INSERT INTO consumer_progress (consumer, instance, commit_id)
     SELECT $1, c.instance, max(c.id) FROM batch_commits c, first
      WHERE ${LANE_LOGS} AND c.instance <> $2 GROUP BY c.instance
     ON CONFLICT (consumer, instance) DO NOTHING`,
    [consumer, instance],
  );
  const { rows } = await pool.query<{
    log: string;
    from: Date;
    last: string;
    machines: string[];
  }>(
    `SELECT c.instance AS log, min(c.from_time) AS from, max(c.id) AS last,
            array_agg(DISTINCT m) AS machines
       FROM batch_commits c CROSS JOIN unnest(c.machines) AS m
       LEFT JOIN consumer_progress p ON p.consumer = $1 AND p.instance = c.instance
      WHERE ${LANE_LOGS} AND c.id > coalesce(p.commit_id, 0)
      GROUP BY c.instance`,
    [consumer, instance],
  );
  if (rows.length === 0) return null;
  return {
    fromMs: Math.min(...rows.map((r) => r.from.getTime())),
    machines: new Set(rows.flatMap((r) => r.machines)),
    marks: new Map(rows.map((r) => [r.log, Number(r.last)])),
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
  marks: readonly ProgressMark[],
): Promise<void> {
  if (marks.length === 0) return;
  await pool.query(
    `WITH sc AS (SELECT set_config('synchronous_commit', 'off', true))
     INSERT INTO consumer_progress (consumer, instance, commit_id)
     SELECT u.consumer, u.instance, u.commit_id
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(consumer, instance, commit_id), sc
     ON CONFLICT (consumer, instance) DO UPDATE
       SET commit_id = greatest(consumer_progress.commit_id, EXCLUDED.commit_id), updated_at = now()`,
    [marks.map((m) => m.consumer), marks.map((m) => m.log), marks.map((m) => m.commitId)],
  );
}

/** A consumer finished this commit of a writer lane's log (and every one before it there). */
export interface ProgressMark {
  consumer: string;
  /** The lane's commit log (`writerLog`). */
  log: string;
  commitId: number;
}

/**
 * Gathers the marks of the consumers that finish at about the same time (one commit reaches
 * every lane at once) into one `recordProgressMany`: a mark asked for while a write is under
 * way goes into the next one. Each caller's promise settles with the write holding its mark.
 */
export class ProgressRecorder {
  private pending = new Map<string, ProgressMark>();
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly pool: Pool) {}

  /** Records every mark of `marks` (writer log -> commit id) for the consumer. */
  record(consumer: string, marks: ReadonlyMap<string, number>): Promise<void> {
    for (const [log, commitId] of marks) {
      const key = `${consumer}\u0000${log}`;
      const was = this.pending.get(key)?.commitId ?? commitId;
      this.pending.set(key, { consumer, log, commitId: Math.max(commitId, was) });
    }
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.running ??= this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    // Let the other lanes that finished on this turn add their marks first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.size > 0) {
      const marks = [...this.pending.values()];
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        await recordProgressMany(this.pool, marks);
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
 * `maxAgeDays` (a consumer removed from the list would otherwise hold them forever). The
 * consumers of an instance are those with a mark in its lane-0 log; one without a mark in a
 * lane's log yet has done none of that lane's commits.
 */
export async function pruneCommitLog(pool: Pool, maxAgeDays: number): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM batch_commits c
      WHERE c.id <= (SELECT min(coalesce(p.commit_id, 0))
                       FROM consumer_progress b
                       LEFT JOIN consumer_progress p
                         ON p.consumer = b.consumer AND p.instance = c.instance
                      WHERE b.instance = ${instanceOf('c.instance')})
         OR c.committed_at < now() - make_interval(days => $1)`,
    [maxAgeDays],
  );
  return rowCount ?? 0;
}
