-- Pieces per machine and minute, kept beside the raw counts, so that a shift's figures read
-- a few hundred minutes per machine instead of every count row (docs/decisions.md "Issue 22 —
-- fitting 1,000 machines"). A window reads whole minutes here and its ragged ends from the
-- raw rows (ingest/src/queries/count-sums.ts), so the figures are exactly the raw sums.
--
-- Kept by statement triggers over the statement's rows (one grouped upsert a statement, not
-- one a row): inserts add, deletes subtract, updates do both. Late and out-of-order counts
-- (write-series.ts re-deriving a count after an older one arrives: an UPDATE) land in their
-- own event-time minute.

CREATE TABLE counts_1m (
  machine_id  text NOT NULL,
  bucket      timestamptz NOT NULL,
  good        bigint NOT NULL,
  reject      bigint NOT NULL,
  PRIMARY KEY (machine_id, bucket)
);

-- Pieces claimed by work orders (work_order_events of kind count), per machine, minute and
-- order; `n` counts the events, so a minute whose events were all deleted is seen as empty.
CREATE TABLE order_counts_1m (
  machine_id     text NOT NULL,
  bucket         timestamptz NOT NULL,
  work_order_id  text NOT NULL,
  good           bigint NOT NULL,
  rejected       bigint NOT NULL,
  n              bigint NOT NULL,
  PRIMARY KEY (machine_id, bucket, work_order_id)
);

CREATE FUNCTION takt_minute(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$ SELECT date_bin('1 minute', t, TIMESTAMPTZ '2000-01-01 00:00:00+00') $$;

-- A transition table exists only for the events that have it: one function per event shape.
CREATE FUNCTION takt_counts_1m_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO counts_1m AS r
  SELECT machine_id, takt_minute(time), sum(good), sum(reject) FROM new_rows
   GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (machine_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, reject = r.reject + EXCLUDED.reject;
  RETURN NULL;
END $$;

CREATE FUNCTION takt_counts_1m_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO counts_1m AS r
  SELECT machine_id, takt_minute(time), -sum(good), -sum(reject) FROM old_rows
   GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (machine_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, reject = r.reject + EXCLUDED.reject;
  RETURN NULL;
END $$;

CREATE FUNCTION takt_counts_1m_update() RETURNS trigger
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
  RETURN NULL;
END $$;

CREATE TRIGGER counts_1m_insert AFTER INSERT ON counts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION takt_counts_1m_insert();
CREATE TRIGGER counts_1m_update AFTER UPDATE ON counts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION takt_counts_1m_update();
CREATE TRIGGER counts_1m_delete AFTER DELETE ON counts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION takt_counts_1m_delete();

-- The claimed pieces: only what machine-windows.ts reads (kind count, no detail, a machine).
CREATE FUNCTION takt_order_counts_1m_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO order_counts_1m AS r
  SELECT machine_id, takt_minute(time), work_order_id,
         coalesce(sum(good), 0), coalesce(sum(rejected), 0), count(*)
    FROM new_rows WHERE kind = 'count' AND detail IS NULL AND machine_id IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (machine_id, bucket, work_order_id) DO UPDATE
    SET good = r.good + EXCLUDED.good, rejected = r.rejected + EXCLUDED.rejected, n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE FUNCTION takt_order_counts_1m_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO order_counts_1m AS r
  SELECT machine_id, takt_minute(time), work_order_id,
         -coalesce(sum(good), 0), -coalesce(sum(rejected), 0), -count(*)
    FROM old_rows WHERE kind = 'count' AND detail IS NULL AND machine_id IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (machine_id, bucket, work_order_id) DO UPDATE
    SET good = r.good + EXCLUDED.good, rejected = r.rejected + EXCLUDED.rejected, n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE FUNCTION takt_order_counts_1m_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO order_counts_1m AS r
  SELECT machine_id, bucket, work_order_id, sum(good), sum(rejected), sum(n) FROM (
    SELECT machine_id, takt_minute(time) AS bucket, work_order_id,
           coalesce(good, 0) AS good, coalesce(rejected, 0) AS rejected, 1 AS n
      FROM new_rows WHERE kind = 'count' AND detail IS NULL AND machine_id IS NOT NULL
    UNION ALL
    SELECT machine_id, takt_minute(time), work_order_id,
           -coalesce(good, 0), -coalesce(rejected, 0), -1
      FROM old_rows WHERE kind = 'count' AND detail IS NULL AND machine_id IS NOT NULL
  ) x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (machine_id, bucket, work_order_id) DO UPDATE
    SET good = r.good + EXCLUDED.good, rejected = r.rejected + EXCLUDED.rejected, n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE TRIGGER order_counts_1m_insert AFTER INSERT ON work_order_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION takt_order_counts_1m_insert();
CREATE TRIGGER order_counts_1m_update AFTER UPDATE ON work_order_events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION takt_order_counts_1m_update();
CREATE TRIGGER order_counts_1m_delete AFTER DELETE ON work_order_events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION takt_order_counts_1m_delete();

-- What is already stored.
INSERT INTO counts_1m
SELECT machine_id, takt_minute(time), sum(good), sum(reject) FROM counts GROUP BY 1, 2;
INSERT INTO order_counts_1m
SELECT machine_id, takt_minute(time), work_order_id,
       coalesce(sum(good), 0), coalesce(sum(rejected), 0), count(*)
  FROM work_order_events WHERE kind = 'count' AND detail IS NULL AND machine_id IS NOT NULL
 GROUP BY 1, 2, 3;
