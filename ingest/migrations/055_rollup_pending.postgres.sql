-- Plain PostgreSQL: a batch no longer upserts its minutes into samples_1m and samples_1h in
-- its own transaction. It appends them, as one row of arrays, to rollup_pending; a flusher in
-- ingest (pipeline/rollup-flusher.ts) merges every pending row per (machine, tag, minute) and
-- adds the merged minutes with takt_rollup_add, a few seconds later (docs/decisions.md
-- "Issue 22 — rollups a few seconds behind"). A series read once a second is then upserted
-- once per flush instead of once per batch. The pending row commits with the batch's raw rows
-- and is deleted by the transaction that adds it, so a crash loses no minute and adds none
-- twice, with any number of ingest instances.
CREATE TABLE rollup_pending (
  id bigserial PRIMARY KEY,
  buckets timestamptz[] NOT NULL,
  machines text[] NOT NULL,
  tags text[] NOT NULL,
  mins float8[] NOT NULL,
  maxs float8[] NOT NULL,
  sums float8[] NOT NULL,
  counts int8[] NOT NULL,
  lasts float8[] NOT NULL,
  last_times timestamptz[] NOT NULL
);

-- A batch's minute aggregates, kept until the next flush (the arguments of takt_rollup_add).
CREATE FUNCTION takt_rollup_defer(
  buckets timestamptz[], machines text[], tags text[], mins float8[], maxs float8[],
  sums float8[], counts int8[], lasts float8[], last_times timestamptz[]
) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO rollup_pending (buckets, machines, tags, mins, maxs, sums, counts, lasts, last_times)
  VALUES (buckets, machines, tags, mins, maxs, sums, counts, lasts, last_times)
$$;

-- Takes up to max_rows pending rows (oldest first; rows another flush holds are skipped),
-- merges them per (machine, tag, minute) and adds the result to the rollups, in the caller's
-- transaction. `last` follows the newest time; on a tie the later row wins, as the later batch
-- did when each batch added its own minutes. Returns the pending rows taken.
CREATE FUNCTION takt_rollup_apply_pending(max_rows integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  merged record;
BEGIN
  WITH taken AS (
    DELETE FROM rollup_pending
     WHERE id IN (SELECT id FROM rollup_pending ORDER BY id LIMIT max_rows FOR UPDATE SKIP LOCKED)
    RETURNING *
  ), minutes AS (
    SELECT t.id, u.*
      FROM taken t,
           unnest(t.buckets, t.machines, t.tags, t.mins, t.maxs, t.sums, t.counts, t.lasts, t.last_times)
           WITH ORDINALITY AS u(bucket, machine_id, tag, min, max, sum, count, last, last_time, n)
  ), m AS (
    SELECT bucket, machine_id, tag, min(min) AS min, max(max) AS max, sum(sum) AS sum,
           sum(count)::int8 AS count,
           (array_agg(last ORDER BY last_time DESC, id DESC, n DESC))[1] AS last,
           max(last_time) AS last_time
      FROM minutes GROUP BY bucket, machine_id, tag
  )
  SELECT (SELECT count(*) FROM taken) AS taken,
         array_agg(bucket) AS buckets, array_agg(machine_id) AS machines, array_agg(tag) AS tags,
         array_agg(min) AS mins, array_agg(max) AS maxs, array_agg(sum) AS sums,
         array_agg(count) AS counts, array_agg(last) AS lasts, array_agg(last_time) AS last_times
    INTO merged FROM m;
  IF merged.buckets IS NOT NULL THEN
    PERFORM takt_rollup_add(merged.buckets, merged.machines, merged.tags, merged.mins,
                            merged.maxs, merged.sums, merged.counts, merged.lasts,
                            merged.last_times);
  END IF;
  RETURN merged.taken;
END $$;

-- The flusher's call: one flush at a time across ingest instances (one already at work means
-- there is nothing to do now: it takes what is pending). Returns the pending rows taken.
CREATE FUNCTION takt_rollup_flush(max_rows integer) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('takt_rollup_flush')) THEN
    RETURN 0;
  END IF;
  RETURN takt_rollup_apply_pending(max_rows);
END $$;

-- The rebuild from raw samples (051) first adds every pending row, with no batch able to
-- commit a new one meanwhile (the table lock): the raw rows it then reads are exactly those
-- whose minutes are in the rollups, so no minute is counted twice or lost.
CREATE OR REPLACE FUNCTION takt_rollup_rebuild(lo timestamptz, hi timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  origin CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
  from_h timestamptz := date_bin('1 hour', lo, origin);
  to_h timestamptz := date_bin('1 hour', hi, origin) + INTERVAL '1 hour';
  months timestamptz[];
  written bigint;
BEGIN
  LOCK TABLE rollup_pending IN EXCLUSIVE MODE;
  PERFORM takt_rollup_apply_pending(2147483647);
  SELECT ARRAY(SELECT generate_series(date_trunc('month', from_h AT TIME ZONE 'UTC'),
                                      date_trunc('month', to_h AT TIME ZONE 'UTC'),
                                      INTERVAL '1 month') AT TIME ZONE 'UTC') INTO months;
  PERFORM takt_ensure_partitions('samples_1m', 'month', months);
  PERFORM takt_ensure_partitions('samples_1h', 'year', months);
  DELETE FROM samples_1m WHERE bucket >= from_h AND bucket < to_h;
  DELETE FROM samples_1h WHERE bucket >= from_h AND bucket < to_h;
  INSERT INTO samples_1m
  SELECT date_bin('1 minute', time, origin), machine_id, tag, min(value), max(value),
         sum(value), count(value), (array_agg(value ORDER BY time DESC))[1], max(time)
    FROM samples WHERE time >= from_h AND time < to_h AND quality = 0 AND value IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 2, 3, 1;
  GET DIAGNOSTICS written = ROW_COUNT;
  INSERT INTO samples_1h
  SELECT date_bin('1 hour', time, origin), machine_id, tag, min(value), max(value),
         sum(value), count(value), (array_agg(value ORDER BY time DESC))[1], max(time)
    FROM samples WHERE time >= from_h AND time < to_h AND quality = 0 AND value IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 2, 3, 1;
  RETURN written;
END $$;
