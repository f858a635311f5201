-- TimescaleDB keeps samples_1m and samples_1h as continuous aggregates
-- (005_storage.timescaledb.sql): the writer's per-batch rollup call is a no-op here, as
-- takt_ensure_partitions is (051_batch_rollups.postgres.sql is the plain-PostgreSQL side).
CREATE FUNCTION takt_rollup_add(
  buckets timestamptz[], machines text[], tags text[], mins float8[], maxs float8[],
  sums float8[], counts int8[], lasts float8[], last_times timestamptz[]
) RETURNS void
LANGUAGE sql AS 'SELECT';
