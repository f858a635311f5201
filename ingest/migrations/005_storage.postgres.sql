-- Storage on plain PostgreSQL (the embedded default and CI); 005_storage.timescaledb.sql is
-- the same schema on TimescaleDB. Only one of the two is applied, by the engine ingest
-- detected at its first start (src/storage/engine.ts), recorded in takt_storage.
--
-- samples becomes a table partitioned by day (native range partitioning); retention drops
-- whole partitions. samples_1m and samples_1h are rollups of good numeric values kept by a
-- statement trigger in the write transaction, so late and replayed data land in them too.
-- Their columns match the TimescaleDB continuous aggregates: the historian reads both.

CREATE TABLE takt_storage (
  engine      text NOT NULL CHECK (engine IN ('postgres', 'timescaledb')),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO takt_storage (engine) VALUES ('postgres');

-- Partition of `parent` holding `at`, named <parent>_pYYYYMMDD | _pYYYYMM | _pYYYY (UTC).
CREATE FUNCTION takt_partition_format(unit text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE unit WHEN 'day' THEN 'YYYYMMDD' WHEN 'month' THEN 'YYYYMM' WHEN 'year' THEN 'YYYY' END
$$;

-- Creates the missing partitions of `parent` (one per UTC `unit`) that hold the given times.
-- Called by ingest before each batch and ahead of time; idempotent and safe to race. Rows that
-- went to the parent's default partition for that range (an INSERT by other means) move into
-- the new partition, straight into it: the rollups already counted them.
CREATE FUNCTION takt_ensure_partitions(parent text, unit text, times timestamptz[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  start timestamp;
  name text;
  lo timestamptz;
  hi timestamptz;
  made integer := 0;
  fallback text := parent || '_default';
  key text := substring(pg_get_partkeydef(parent::regclass) FROM '\("?([a-z_]+)"?\)');
BEGIN
  FOR start IN
    SELECT DISTINCT date_trunc(unit, t AT TIME ZONE 'UTC') FROM unnest(times) t WHERE t IS NOT NULL
  LOOP
    name := parent || '_p' || to_char(start, takt_partition_format(unit));
    CONTINUE WHEN to_regclass(name) IS NOT NULL;
    PERFORM pg_advisory_xact_lock(hashtext(name));
    CONTINUE WHEN to_regclass(name) IS NOT NULL;
    lo := start AT TIME ZONE 'UTC';
    hi := (start + ('1 ' || unit)::interval) AT TIME ZONE 'UTC';
    IF to_regclass(fallback) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', name, parent, lo, hi);
    ELSE
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', name, parent);
      EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) '
                     'INSERT INTO %I SELECT * FROM moved', fallback, key, key, name) USING lo, hi;
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, name, lo, hi);
    END IF;
    made := made + 1;
  END LOOP;
  RETURN made;
END $$;

-- Drops the partitions of `parent` that end at or before `cutoff`; returns their names.
CREATE FUNCTION takt_drop_partitions(parent text, unit text, cutoff timestamptz) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped text[] := '{}';
  ends timestamptz;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent::regclass AND c.relname ~ ('^' || parent || '_p[0-9]+$')
     ORDER BY c.relname
  LOOP
    ends := (to_timestamp(substr(part.relname, length(parent) + 3), takt_partition_format(unit))::timestamp
             + ('1 ' || unit)::interval) AT TIME ZONE 'UTC';
    IF ends <= cutoff THEN
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped || part.relname::text;
    END IF;
  END LOOP;
  RETURN dropped;
END $$;

ALTER TABLE samples RENAME TO samples_before_005;
ALTER INDEX samples_machine_tag_time RENAME TO samples_before_005_machine_tag_time;

CREATE TABLE samples (
  time        timestamptz NOT NULL,
  machine_id  text NOT NULL,
  tag         text NOT NULL,
  value       double precision,      -- numbers and booleans (1/0)
  value_text  text,                  -- strings
  quality     smallint NOT NULL      -- 0 good, 1 uncertain, 2 bad
) PARTITION BY RANGE (time);
CREATE INDEX samples_machine_tag_time ON samples (machine_id, tag, time DESC);
-- A row with no partition yet is never refused: it waits here until its partition is made.
CREATE TABLE samples_default PARTITION OF samples DEFAULT;

-- Per-minute and per-hour rollups of good numeric values; avg = sum / count.
CREATE TABLE samples_1m (
  bucket      timestamptz NOT NULL,
  machine_id  text NOT NULL,
  tag         text NOT NULL,
  min         double precision,
  max         double precision,
  sum         double precision,
  count       bigint NOT NULL,
  last        double precision,
  last_time   timestamptz,
  PRIMARY KEY (machine_id, tag, bucket)
) PARTITION BY RANGE (bucket);

CREATE TABLE samples_1h (LIKE samples_1m INCLUDING ALL) PARTITION BY RANGE (bucket);

CREATE FUNCTION takt_samples_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  months timestamptz[];
BEGIN
  -- One time per month of the statement's rows (a hash of few keys, not a sort of every time).
  SELECT ARRAY(SELECT DISTINCT date_trunc('month', time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                 FROM new_rows) INTO months;
  PERFORM takt_ensure_partitions('samples_1m', 'month', months);
  PERFORM takt_ensure_partitions('samples_1h', 'year', months);
  -- Keys in a fixed order, so that two writers never deadlock on the same rollup rows.
  WITH m AS (
    SELECT date_bin('1 minute', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
           machine_id, tag, min(value) AS min, max(value) AS max, sum(value) AS sum,
           count(value) AS count, (array_agg(value ORDER BY time DESC))[1] AS last,
           max(time) AS last_time
      FROM new_rows WHERE quality = 0 AND value IS NOT NULL
     GROUP BY 1, 2, 3
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
  RETURN NULL;
END $$;

CREATE TRIGGER samples_rollup AFTER INSERT ON samples
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION takt_samples_rollup();

-- The rows stored before this migration move into the partitions (and the rollups).
SELECT takt_ensure_partitions('samples', 'day', ARRAY(SELECT DISTINCT date_trunc('hour', time) FROM samples_before_005));
INSERT INTO samples SELECT * FROM samples_before_005;
DROP TABLE samples_before_005;
