-- An operation's rejected pieces in its minute rollup (migration 058), kept by the same
-- statement triggers, so that an order's operations are counted again from minutes
-- (ingest/src/work-orders/apply.ts `recount`, after a scan is folded again) instead of from
-- every count event the order ever had: that sum cost more the longer the order ran (16 ms
-- two minutes into the 1,000-machine plant bench, 43 ms twelve minutes in; docs/decisions.md
-- "Issue 22 — the tenth pass").
ALTER TABLE operation_counts_1m ADD COLUMN rejected bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION takt_operation_counts_1m_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO operation_counts_1m AS r (work_order_id, operation_id, bucket, good, rejected, n)
  SELECT work_order_id, operation_id, takt_minute(time), coalesce(sum(good), 0),
         coalesce(sum(rejected), 0), count(*)
    FROM new_rows WHERE kind = 'count' AND operation_id IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (work_order_id, operation_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, rejected = r.rejected + EXCLUDED.rejected,
        n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION takt_operation_counts_1m_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO operation_counts_1m AS r (work_order_id, operation_id, bucket, good, rejected, n)
  SELECT work_order_id, operation_id, takt_minute(time), -coalesce(sum(good), 0),
         -coalesce(sum(rejected), 0), -count(*)
    FROM old_rows WHERE kind = 'count' AND operation_id IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (work_order_id, operation_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, rejected = r.rejected + EXCLUDED.rejected,
        n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION takt_operation_counts_1m_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO operation_counts_1m AS r (work_order_id, operation_id, bucket, good, rejected, n)
  SELECT work_order_id, operation_id, bucket, sum(good), sum(rejected), sum(n) FROM (
    SELECT work_order_id, operation_id, takt_minute(time) AS bucket, coalesce(good, 0) AS good,
           coalesce(rejected, 0) AS rejected, 1 AS n
      FROM new_rows WHERE kind = 'count' AND operation_id IS NOT NULL
    UNION ALL
    SELECT work_order_id, operation_id, takt_minute(time), -coalesce(good, 0),
           -coalesce(rejected, 0), -1
      FROM old_rows WHERE kind = 'count' AND operation_id IS NOT NULL
  ) x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (work_order_id, operation_id, bucket) DO UPDATE
    SET good = r.good + EXCLUDED.good, rejected = r.rejected + EXCLUDED.rejected,
        n = r.n + EXCLUDED.n;
  RETURN NULL;
END $$;

-- What is already stored.
UPDATE operation_counts_1m r SET rejected = s.rejected
  FROM (SELECT work_order_id, operation_id, takt_minute(time) AS bucket,
               sum(rejected) AS rejected
          FROM work_order_events WHERE kind = 'count' AND operation_id IS NOT NULL
         GROUP BY 1, 2, 3 HAVING coalesce(sum(rejected), 0) <> 0) s
 WHERE r.work_order_id = s.work_order_id AND r.operation_id = s.operation_id
   AND r.bucket = s.bucket;
