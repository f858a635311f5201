-- Good pieces per operation and minute (work_order_events of kind count), so that an
-- operation's rate over the last hour (ingest/src/queries/orders.ts `operationActivity`: every
-- order list, order screen, order alert and order webhook) reads about sixty minutes per
-- operation instead of every count event of its order in that hour. Read that way, the orders
-- list cost more the longer the plant ran: a 1,000-machine plant's `/api/work-orders` went from
-- 85 to 332 ms p95 in 14 minutes and would have kept growing for the first hour
-- (docs/decisions.md "Issue 22 — the ninth pass").
--
-- Kept like the count rollups of migration 052: statement triggers over the statement's rows,
-- inserts add, deletes subtract, updates do both; `n` counts the events, so a minute whose
-- events were all deleted is seen as empty. The window's ragged ends come from the raw rows,
-- so the sums are exactly those of the raw rows.

CREATE TABLE operation_counts_1m (
  work_order_id  text NOT NULL,
  operation_id   text NOT NULL,
  bucket         timestamptz NOT NULL,
  good           bigint NOT NULL,
  n              bigint NOT NULL,
  PRIMARY KEY (work_order_id, operation_id, bucket)
);

CREATE FUNCTION takt_operation_counts_1m_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO operation_counts_1m AS r
  SELECT work_order_id, operation_id, takt_minute(time), coalesce(sum(good), 0), count(*)
    FROM new_rows WHERE kind = 'count' AND operation_id IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (work_order_id, operation_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE FUNCTION takt_operation_counts_1m_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO operation_counts_1m AS r
  SELECT work_order_id, operation_id, takt_minute(time), -coalesce(sum(good), 0), -count(*)
    FROM old_rows WHERE kind = 'count' AND operation_id IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (work_order_id, operation_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE FUNCTION takt_operation_counts_1m_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO operation_counts_1m AS r
  SELECT work_order_id, operation_id, bucket, sum(good), sum(n) FROM (
    SELECT work_order_id, operation_id, takt_minute(time) AS bucket, coalesce(good, 0) AS good, 1 AS n
      FROM new_rows WHERE kind = 'count' AND operation_id IS NOT NULL
    UNION ALL
    SELECT work_order_id, operation_id, takt_minute(time), -coalesce(good, 0), -1
      FROM old_rows WHERE kind = 'count' AND operation_id IS NOT NULL
  ) x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (work_order_id, operation_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE TRIGGER operation_counts_1m_insert AFTER INSERT ON work_order_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION takt_operation_counts_1m_insert();
CREATE TRIGGER operation_counts_1m_update AFTER UPDATE ON work_order_events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION takt_operation_counts_1m_update();
CREATE TRIGGER operation_counts_1m_delete AFTER DELETE ON work_order_events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION takt_operation_counts_1m_delete();

-- An operation's count events by time: the window's ragged ends above, and its newest good
-- piece (`operationActivity`'s last_good_at), read without the order's other operations'
-- events. Without it the newest good piece was found by reading the order's events up to now
-- and sorting them, more of them the longer the order ran.
CREATE INDEX work_order_events_operation_counts
  ON work_order_events (work_order_id, operation_id, time) WHERE kind = 'count';

-- What is already stored.
INSERT INTO operation_counts_1m
SELECT work_order_id, operation_id, takt_minute(time), coalesce(sum(good), 0), count(*)
  FROM work_order_events WHERE kind = 'count' AND operation_id IS NOT NULL
 GROUP BY 1, 2, 3;
