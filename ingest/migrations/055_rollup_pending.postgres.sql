-- Plain PostgreSQL: a batch no longer upserts its minutes into samples_1m and samples_1h in
-- its own transaction. It appends them, as one row of arrays, to rollup_pending; a flusher in
-- ingest (pipeline/rollup-flusher.ts) merges every pending row per (machine, tag, minute) and
-- adds the minutes that are over with takt_rollup_add, a few seconds after they end
-- (docs/decisions.md "Issue 22 — rollups once a minute is over"). A series read once a second
-- is then upserted about once a minute instead of once per batch. The pending row commits with the batch's raw rows
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

-- Takes up to max_rows pending rows (oldest first; rows another flush holds are skipped) and
-- merges them per (machine, tag, minute). The minutes that are over (ended by the
-- transaction's start) are added to the rollups; the open ones go back as one pending row,
-- unless `everything`, when they are added too. So a series' minute row is written about once,
-- after its minute, not once per flush. `last` follows the newest time; on a tie the later row
-- wins, as the later batch did when each batch added its own minutes: the row put back takes
-- the largest id taken. Returns the pending rows taken.
CREATE FUNCTION takt_rollup_apply_pending(max_rows integer, everything boolean) RETURNS integer
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
           max(last_time) AS last_time,
           everything OR bucket + interval '1 minute' <= now() AS over
      FROM minutes GROUP BY bucket, machine_id, tag
  )
  SELECT (SELECT count(*) FROM taken) AS taken, (SELECT max(id) FROM taken) AS last_id,
         array_agg(bucket) FILTER (WHERE over) AS buckets,
         array_agg(machine_id) FILTER (WHERE over) AS machines,
         array_agg(tag) FILTER (WHERE over) AS tags,
         array_agg(min) FILTER (WHERE over) AS mins, array_agg(max) FILTER (WHERE over) AS maxs,
         array_agg(sum) FILTER (WHERE over) AS sums, array_agg(count) FILTER (WHERE over) AS counts,
         array_agg(last) FILTER (WHERE over) AS lasts,
         array_agg(last_time) FILTER (WHERE over) AS last_times,
         array_agg(bucket) FILTER (WHERE NOT over) AS open_buckets,
         array_agg(machine_id) FILTER (WHERE NOT over) AS open_machines,
         array_agg(tag) FILTER (WHERE NOT over) AS open_tags,
         array_agg(min) FILTER (WHERE NOT over) AS open_mins,
         array_agg(max) FILTER (WHERE NOT over) AS open_maxs,
         array_agg(sum) FILTER (WHERE NOT over) AS open_sums,
         array_agg(count) FILTER (WHERE NOT over) AS open_counts,
         array_agg(last) FILTER (WHERE NOT over) AS open_lasts,
         array_agg(last_time) FILTER (WHERE NOT over) AS open_last_times
    INTO merged FROM m;
  IF merged.buckets IS NOT NULL THEN
    PERFORM takt_rollup_add(merged.buckets, merged.machines, merged.tags, merged.mins,
                            merged.maxs, merged.sums, merged.counts, merged.lasts,
                            merged.last_times);
  END IF;
  IF merged.open_buckets IS NOT NULL THEN
    INSERT INTO rollup_pending (id, buckets, machines, tags, mins, maxs, sums, counts, lasts, last_times)
    VALUES (merged.last_id, merged.open_buckets, merged.open_machines, merged.open_tags,
            merged.open_mins, merged.open_maxs, merged.open_sums, merged.open_counts,
            merged.open_lasts, merged.open_last_times);
  END IF;
  RETURN merged.taken;
END $$;

-- The flusher's call: one flush at a time across ingest instances (one already at work means
-- there is nothing to do now: it takes what is pending). Returns the pending rows taken.
CREATE FUNCTION takt_rollup_flush(max_rows integer, everything boolean) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('takt_rollup_flush')) THEN
    RETURN 0;
  END IF;
  RETURN takt_rollup_apply_pending(max_rows, everything);
END $$;

-- The rebuild from raw samples (051) first adds every pending row, with no batch able to
-- commit a new one meanwhile (the table lock): the raw rows it then reads are exactly those
-- whose minutes are in the rollups, so no minute is counted twice or lost. 051's body stays as
-- it is, under a name of its own; callers keep calling takt_rollup_rebuild.
ALTER FUNCTION takt_rollup_rebuild(timestamptz, timestamptz) RENAME TO takt_rollup_rebuild_from_raw;

CREATE FUNCTION takt_rollup_rebuild(lo timestamptz, hi timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE rollup_pending IN EXCLUSIVE MODE;
  PERFORM takt_rollup_apply_pending(2147483647, true);
  RETURN takt_rollup_rebuild_from_raw(lo, hi);
END $$;
