-- Storage on TimescaleDB: the same tables and column names as 005_storage.postgres.sql,
-- made by the extension. samples is a hypertable (1-day chunks, compressed by machine and
-- tag); samples_1m and samples_1h are continuous aggregates with real-time aggregation, so
-- the newest minutes are there before a refresh. Policies (compression, refresh, retention)
-- are set by ingest at start from its settings (src/storage/timescale.ts).

CREATE TABLE takt_storage (
  engine      text NOT NULL CHECK (engine IN ('postgres', 'timescaledb')),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO takt_storage (engine) VALUES ('timescaledb');

SELECT create_hypertable('samples', 'time', chunk_time_interval => INTERVAL '1 day', migrate_data => true);
ALTER TABLE samples SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'machine_id, tag',
  timescaledb.compress_orderby = 'time DESC'
);

CREATE MATERIALIZED VIEW samples_1m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 minute', time) AS bucket, machine_id, tag,
       min(value) AS min, max(value) AS max, sum(value) AS sum, count(value) AS count,
       last(value, time) AS last, max(time) AS last_time
  FROM samples WHERE quality = 0 AND value IS NOT NULL
 GROUP BY 1, 2, 3
WITH NO DATA;

CREATE MATERIALIZED VIEW samples_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket, machine_id, tag,
       min(value) AS min, max(value) AS max, sum(value) AS sum, count(value) AS count,
       last(value, time) AS last, max(time) AS last_time
  FROM samples WHERE quality = 0 AND value IS NOT NULL
 GROUP BY 1, 2, 3
WITH NO DATA;

-- Hypertables create their chunks themselves: the writer's call is a no-op here.
CREATE FUNCTION takt_ensure_partitions(parent text, unit text, times timestamptz[]) RETURNS integer
LANGUAGE sql AS 'SELECT 0';
