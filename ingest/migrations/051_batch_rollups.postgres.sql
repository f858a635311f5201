-- Plain PostgreSQL: the minute and hour rollups are written by ingest per batch instead of by
-- the statement trigger of 005_storage.postgres.sql (docs/decisions.md "Issue 22 — sustained
-- ingest"). The trigger aggregated every raw row of a batch a second time in SQL, from a
-- transition table; ingest now aggregates the batch's rows per (machine, tag, minute) while
-- it builds them (src/pipeline/write-rollups.ts) and adds those minutes here, in the batch's
-- transaction. The merge is the trigger's: min/max/sum/count add up, `last` follows the
-- newest time, so late and replayed data still land in their event-time buckets.
-- Writers other than ingest (a COPY by hand, a migration) call takt_rollup_rebuild.

DROP TRIGGER samples_rollup ON samples;
DROP FUNCTION takt_samples_rollup();

-- Adds a batch's per-minute aggregates to samples_1m and, folded per hour, to samples_1h.
-- Keys in a fixed order, so that two writers never deadlock on the same rollup rows.
CREATE FUNCTION takt_rollup_add(
  buckets timestamptz[], machines text[], tags text[], mins float8[], maxs float8[],
  sums float8[], counts int8[], lasts float8[], last_times timestamptz[]
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  months timestamptz[];
BEGIN
  SELECT ARRAY(SELECT DISTINCT date_trunc('month', b AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                 FROM unnest(buckets) b) INTO months;
  PERFORM takt_ensure_partitions('samples_1m', 'month', months);
  PERFORM takt_ensure_partitions('samples_1h', 'year', months);
  WITH m AS (
    SELECT * FROM unnest(buckets, machines, tags, mins, maxs, sums, counts, lasts, last_times)
             AS u(bucket, machine_id, tag, min, max, sum, count, last, last_time)
  ), minutes AS (
    INSERT INTO samples_1m AS r SELECT * FROM m ORDER BY machine_id, tag, bucket
    ON CONFLICT (machine_id, tag, bucket) DO UPDATE SET
      min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max),
      sum = r.sum + EXCLUDED.sum, count = r.count + EXCLUDED.count,
      last = CASE WHEN EXCLUDED.last_time >= r.last_time THEN EXCLUDED.last ELSE r.last END,
      last_time = greatest(r.last_time, EXCLUDED.last_time)
  )
  INSERT INTO samples_1h AS r
  SELECT date_bin('1 hour', bucket, TIMESTAMPTZ '2000-01-01 00:00:00+00'), machine_id, tag,
         min(min), max(max), sum(sum), sum(count), (array_agg(last ORDER BY last_time DESC))[1],
         max(last_time)
    FROM m GROUP BY 1, 2, 3 ORDER BY 2, 3, 1
  ON CONFLICT (machine_id, tag, bucket) DO UPDATE SET
    min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max),
    sum = r.sum + EXCLUDED.sum, count = r.count + EXCLUDED.count,
    last = CASE WHEN EXCLUDED.last_time >= r.last_time THEN EXCLUDED.last ELSE r.last END,
    last_time = greatest(r.last_time, EXCLUDED.last_time);
END $$;

-- Recomputes the rollups of the whole UTC hours that hold lo … hi (both included) from the
-- raw samples: for rows written into samples by anything but ingest's writer. Returns the
-- minute buckets written.
CREATE FUNCTION takt_rollup_rebuild(lo timestamptz, hi timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  origin CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
  from_h timestamptz := date_bin('1 hour', lo, origin);
  to_h timestamptz := date_bin('1 hour', hi, origin) + INTERVAL '1 hour';
  months timestamptz[];
  written bigint;
BEGIN
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
