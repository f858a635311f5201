-- TimescaleDB keeps samples_1m and samples_1h as continuous aggregates: nothing is deferred,
-- so the writer's and the flusher's calls are no-ops here (055_rollup_pending.postgres.sql is
-- the plain-PostgreSQL side).
CREATE FUNCTION takt_rollup_defer(
  buckets timestamptz[], machines text[], tags text[], mins float8[], maxs float8[],
  sums float8[], counts int8[], lasts float8[], last_times timestamptz[]
) RETURNS void
LANGUAGE sql AS 'SELECT';

CREATE FUNCTION takt_rollup_flush(max_rows integer, everything boolean) RETURNS integer
LANGUAGE sql AS 'SELECT 0';
