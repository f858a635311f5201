-- Pieces per machine and UTC hour, beside the minutes of 052: a window reads its whole hours
-- here, the minutes at its two ends from counts_1m and its ragged ends from the raw rows
-- (ingest/src/queries/count-sums.ts), so a day reads at most about 24 + 120 rows per machine
-- instead of up to 1,440 (docs/decisions.md "Issue 22 — the fourth pass"). The live snapshot
-- reads a machine's day this way after every commit.
--
-- Kept by the same statement triggers as the minutes, in the same statement: inserts add,
-- deletes subtract, updates do both, each row in its own event-time hour.

CREATE TABLE counts_1h (
  machine_id  text NOT NULL,
  bucket      timestamptz NOT NULL,
  good        bigint NOT NULL,
  reject      bigint NOT NULL,
  PRIMARY KEY (machine_id, bucket)
) WITH (fillfactor = 70);

-- The current minute's and hour's rows are updated by every batch with counts of their
-- machine: room in each page for HOT updates, as 053_hot_updates.sql gives the live tables.
ALTER TABLE counts_1m SET (fillfactor = 70);

CREATE FUNCTION takt_hour(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$ SELECT date_bin('1 hour', t, TIMESTAMPTZ '2000-01-01 00:00:00+00') $$;

CREATE OR REPLACE FUNCTION takt_counts_1m_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO counts_1m AS r
  SELECT machine_id, takt_minute(time), sum(good), sum(reject) FROM new_rows
   GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (machine_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, reject = r.reject + EXCLUDED.reject;
  INSERT INTO counts_1h AS r
  SELECT machine_id, takt_hour(time), sum(good), sum(reject) FROM new_rows
   GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (machine_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, reject = r.reject + EXCLUDED.reject;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION takt_counts_1m_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO counts_1m AS r
  SELECT machine_id, takt_minute(time), -sum(good), -sum(reject) FROM old_rows
   GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (machine_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, reject = r.reject + EXCLUDED.reject;
  INSERT INTO counts_1h AS r
  SELECT machine_id, takt_hour(time), -sum(good), -sum(reject) FROM old_rows
   GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (machine_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, reject = r.reject + EXCLUDED.reject;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION takt_counts_1m_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO counts_1m AS r
  SELECT machine_id, bucket, sum(good), sum(reject) FROM (
    SELECT machine_id, takt_minute(time) AS bucket, good, reject FROM new_rows
    UNION ALL
    SELECT machine_id, takt_minute(time), -good, -reject FROM old_rows
  ) x GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (machine_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, reject = r.reject + EXCLUDED.reject;
  INSERT INTO counts_1h AS r
  SELECT machine_id, bucket, sum(good), sum(reject) FROM (
    SELECT machine_id, takt_hour(time) AS bucket, good, reject FROM new_rows
    UNION ALL
    SELECT machine_id, takt_hour(time), -good, -reject FROM old_rows
  ) x GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (machine_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, reject = r.reject + EXCLUDED.reject;
  RETURN NULL;
END $$;

-- What is already stored.
INSERT INTO counts_1h
SELECT machine_id, takt_hour(bucket), sum(good), sum(reject) FROM counts_1m GROUP BY 1, 2;
