-- Plain PostgreSQL: the flusher computes a minute's rollups from the raw samples once the
-- minute is over, instead of merging per-batch aggregates (docs/decisions.md "Issue 22 — the
-- sixth pass"). At 1 Hz a batch held one reading per series, so the aggregates 055 deferred
-- were as many as the readings themselves, written, merged every 5 s and written back. A
-- batch of ingest's pipeline now marks only which machines' minutes it wrote
-- (takt_rollup_mark: a (machine, minute) pair each); the flush reads each marked minute of
-- each of the machine's series from samples by its index and replaces the minute row, so data
-- that arrive late, twice or out of order give what the raw rows say. A mark commits with its
-- batch's raw rows and is deleted by the transaction that computes it: nothing is lost.

-- The pending aggregates 055 left, added as 055 did, before its table goes.
SELECT takt_rollup_apply_pending(2147483647, true);
DROP FUNCTION takt_rollup_rebuild(timestamptz, timestamptz);
DROP FUNCTION takt_rollup_flush(integer, boolean);
DROP FUNCTION takt_rollup_apply_pending(integer, boolean);
DROP FUNCTION takt_rollup_defer(timestamptz[], text[], text[], float8[], float8[], float8[], int8[], float8[], timestamptz[]);
DROP TABLE rollup_pending;

CREATE TABLE rollup_marks (
  id bigserial PRIMARY KEY,
  machines text[] NOT NULL,
  minutes timestamptz[] NOT NULL
);

-- The (machine, minute) pairs a batch wrote good numeric readings in.
CREATE FUNCTION takt_rollup_mark(machines text[], minutes timestamptz[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO rollup_marks (machines, minutes) VALUES (machines, minutes)
$$;

-- Takes up to max_rows marks (oldest first; marks another flush holds are skipped). Of their
-- pairs whose minute is over (ended by the transaction's start; every pair with
-- `everything`), up to max_pairs are computed from samples, the oldest minutes first; the rest
-- go back as one mark under the largest id taken, so a minute's end is spread over a few
-- transactions. For each pair, each series the machine has (machine_values) is read for the minute
-- by samples' (machine_id, tag, time) index; its minute row is replaced, and its hour row gets
-- the difference (count and sum), min, max and the newest value. Raw rows of a minute only
-- ever grow, so min and max only widen and the hour stays the sum of its minutes. `last` is
-- the value at the newest time, the largest on a tie: the same whatever order the rows came
-- in. Returns the marks taken and the pairs of minutes that are over put back (the flusher
-- comes back for those soon).
CREATE FUNCTION takt_rollup_compute_marked(
  max_rows integer, everything boolean, max_pairs integer, OUT taken integer, OUT over_left integer
)
LANGUAGE plpgsql AS $$
DECLARE
  origin CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
  last_id bigint;
  months timestamptz[];
BEGIN
  -- The pairs taken, numbered in the order they are computed (none for those put back).
  IF to_regclass('pg_temp.takt_marked') IS NULL THEN
    CREATE TEMP TABLE takt_marked (machine_id text, minute timestamptz, n bigint) ON COMMIT DELETE ROWS;
  END IF;
  DELETE FROM takt_marked;
  WITH t AS (
    DELETE FROM rollup_marks
     WHERE id IN (SELECT id FROM rollup_marks ORDER BY id LIMIT max_rows FOR UPDATE SKIP LOCKED)
    RETURNING *
  ), pairs AS (
    SELECT DISTINCT u.machine_id, u.minute FROM t, unnest(t.machines, t.minutes) AS u(machine_id, minute)
  ), counted AS (
    INSERT INTO takt_marked
    SELECT machine_id, minute,
           CASE WHEN everything OR minute + interval '1 minute' <= now()
                THEN row_number() OVER (ORDER BY minute + interval '1 minute' <= now() DESC, minute, machine_id)
           END
      FROM pairs
  )
  SELECT count(*), max(id) INTO taken, last_id FROM t;
  over_left := 0;
  IF taken = 0 THEN
    RETURN;
  END IF;
  -- What is not computed now (open minutes, or beyond max_pairs) goes back as one mark.
  WITH back AS (
    DELETE FROM takt_marked WHERE n IS NULL OR (NOT everything AND n > max_pairs)
    RETURNING machine_id, minute, n
  ), put AS (
    INSERT INTO rollup_marks (id, machines, minutes)
    SELECT last_id, array_agg(machine_id), array_agg(minute) FROM back HAVING count(*) > 0
  )
  SELECT count(*) FILTER (WHERE n IS NOT NULL) INTO over_left FROM back;

  SELECT ARRAY(SELECT DISTINCT date_trunc('month', minute AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                 FROM takt_marked) INTO months;
  PERFORM takt_ensure_partitions('samples_1m', 'month', months);
  PERFORM takt_ensure_partitions('samples_1h', 'year', months);
  WITH fresh AS (
    SELECT k.minute AS bucket, v.machine_id, v.tag, a.min, a.max, a.sum, a.count, a.last, a.last_time
      FROM takt_marked k
      JOIN machine_values v ON v.machine_id = k.machine_id
     CROSS JOIN LATERAL (
       SELECT min(s.value) AS min, max(s.value) AS max, sum(s.value) AS sum, count(s.value) AS count,
              (array_agg(s.value ORDER BY s.time DESC, s.value DESC))[1] AS last, max(s.time) AS last_time
         FROM samples s
        WHERE s.machine_id = v.machine_id AND s.tag = v.tag
          AND s.time >= k.minute AND s.time < k.minute + interval '1 minute'
          AND s.quality = 0 AND s.value IS NOT NULL) a
     WHERE a.count > 0
  ), old AS (
    SELECT f.bucket, f.machine_id, f.tag, coalesce(r.sum, 0) AS sum, coalesce(r.count, 0) AS count
      FROM fresh f
      LEFT JOIN samples_1m r ON r.machine_id = f.machine_id AND r.tag = f.tag AND r.bucket = f.bucket
  ), minutes AS (
    INSERT INTO samples_1m AS r SELECT * FROM fresh ORDER BY machine_id, tag, bucket
    ON CONFLICT (machine_id, tag, bucket) DO UPDATE SET
      min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum, count = EXCLUDED.count,
      last = EXCLUDED.last, last_time = EXCLUDED.last_time
  )
  INSERT INTO samples_1h AS r
  SELECT date_bin('1 hour', f.bucket, origin), f.machine_id, f.tag, min(f.min), max(f.max),
         sum(f.sum - o.sum), sum(f.count - o.count),
         (array_agg(f.last ORDER BY f.last_time DESC, f.last DESC))[1], max(f.last_time)
    FROM fresh f JOIN old o USING (bucket, machine_id, tag)
   GROUP BY 1, 2, 3 ORDER BY 2, 3, 1
  ON CONFLICT (machine_id, tag, bucket) DO UPDATE SET
    min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max),
    sum = r.sum + EXCLUDED.sum, count = r.count + EXCLUDED.count,
    last = CASE WHEN EXCLUDED.last_time > r.last_time
                  OR (EXCLUDED.last_time = r.last_time AND EXCLUDED.last > r.last)
                THEN EXCLUDED.last ELSE r.last END,
    last_time = greatest(r.last_time, EXCLUDED.last_time);
END $$;

-- The flusher's call: one flush at a time across ingest instances (one already at work, or a
-- direct write or a rebuild under way, means there is nothing to do now: none taken, none
-- left). Returns what takt_rollup_compute_marked does.
CREATE FUNCTION takt_rollup_flush(
  max_rows integer, everything boolean, max_pairs integer, OUT taken integer, OUT over_left integer
)
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('takt_rollup_flush')) THEN
    taken := 0;
    over_left := 0;
    RETURN;
  END IF;
  SELECT c.taken, c.over_left INTO taken, over_left
    FROM takt_rollup_compute_marked(max_rows, everything, max_pairs) c;
END $$;

-- A direct write (imports, history, tests) adds its batch's minutes at once (051) while no
-- flush replaces them: a flush's statement would not see the write's uncommitted raw rows and
-- would then overwrite the minute it added. The lock is held until the write commits.
CREATE FUNCTION takt_rollup_add_direct(
  buckets timestamptz[], machines text[], tags text[], mins float8[], maxs float8[],
  sums float8[], counts int8[], lasts float8[], last_times timestamptz[]
) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtext('takt_rollup_flush'));
  PERFORM takt_rollup_add(buckets, machines, tags, mins, maxs, sums, counts, lasts, last_times);
END $$;

-- The rebuild from raw samples (051, takt_rollup_rebuild_from_raw since 055) waits for a
-- flush under way and keeps new ones out until it commits; marks left for its hours are
-- computed again later, which changes nothing there (the minute is what the raw rows say).
CREATE FUNCTION takt_rollup_rebuild(lo timestamptz, hi timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('takt_rollup_flush'));
  RETURN takt_rollup_rebuild_from_raw(lo, hi);
END $$;
