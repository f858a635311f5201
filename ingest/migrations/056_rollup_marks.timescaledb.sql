-- TimescaleDB keeps samples_1m and samples_1h as continuous aggregates: nothing is marked or
-- flushed, so the writer's and the flusher's calls stay no-ops here, as in 055
-- (056_rollup_marks.postgres.sql is the plain-PostgreSQL side).
DROP FUNCTION takt_rollup_flush(integer, boolean);
DROP FUNCTION takt_rollup_defer(timestamptz[], text[], text[], float8[], float8[], float8[], int8[], float8[], timestamptz[]);

CREATE FUNCTION takt_rollup_mark(machines text[], minutes timestamptz[]) RETURNS void
LANGUAGE sql AS 'SELECT';

CREATE FUNCTION takt_rollup_flush(
  max_rows integer, everything boolean, max_pairs integer, OUT taken integer, OUT over_left integer
)
LANGUAGE sql AS 'SELECT 0, 0';

CREATE FUNCTION takt_rollup_add_direct(
  buckets timestamptz[], machines text[], tags text[], mins float8[], maxs float8[],
  sums float8[], counts int8[], lasts float8[], last_times timestamptz[]
) RETURNS void
LANGUAGE sql AS 'SELECT';
