-- Plain PostgreSQL: the minute and hour rollups are upserted by every batch that has readings
-- of their series (takt_rollup_add, 051_batch_rollups.postgres.sql) until their minute or hour
-- is over: their partitions keep 30 % of each page free for HOT updates, as 053_hot_updates.sql
-- does for the live tables. A partitioned table takes no storage parameters, so the partitions
-- get them: those made from now on by takt_ensure_partitions (005_storage.postgres.sql, with
-- the fillfactor added), the existing ones here.
DO $$
DECLARE
  part regclass;
BEGIN
  FOR part IN
    SELECT i.inhrelid::regclass FROM pg_inherits i
     WHERE i.inhparent IN ('samples_1m'::regclass, 'samples_1h'::regclass)
  LOOP
    EXECUTE format('ALTER TABLE %s SET (fillfactor = 70)', part);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION takt_ensure_partitions(parent text, unit text, times timestamptz[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  start timestamp;
  name text;
  lo timestamptz;
  hi timestamptz;
  made integer := 0;
  fallback text := parent || '_default';
  key text := substring(pg_get_partkeydef(parent::regclass) FROM '\("?([a-z_]+)"?\)');
  storage text := CASE WHEN parent IN ('samples_1m', 'samples_1h') THEN ' WITH (fillfactor = 70)' ELSE '' END;
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
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', name, parent, lo, hi) || storage;
    ELSE
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', name, parent) || storage;
      EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) '
                     'INSERT INTO %I SELECT * FROM moved', fallback, key, key, name) USING lo, hi;
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, name, lo, hi);
    END IF;
    made := made + 1;
  END LOOP;
  RETURN made;
END $$;
