-- Issue 21 (docs/decisions.md "Issue 21 — the plan in ingest, the single ETA"): the current
-- finite-capacity plan of every open order (ingest/src/planning/). The plan is recomputable
-- from orders, scans, counts and the plant model, so these tables hold only the newest plan:
-- each recompute replaces every row in one transaction. The order figures
-- (ingest/src/domain/order-figures.ts) read their ETA from here, so every screen agrees.

-- Each planned operation: where and when the plan runs it.
CREATE TABLE plan_operations (
  work_order_id   text NOT NULL,
  operation_id    text NOT NULL,
  machine_id      text NOT NULL,
  product_id      text NOT NULL,
  remaining       bigint NOT NULL,
  planned_start   timestamptz NOT NULL,
  planned_finish  timestamptz NOT NULL,
  p10_finish      timestamptz NOT NULL,
  p90_finish      timestamptz NOT NULL,
  changeover_ms   bigint NOT NULL DEFAULT 0,
  running         boolean NOT NULL DEFAULT false,
  computed_at     timestamptz NOT NULL,
  PRIMARY KEY (work_order_id, operation_id)
);
CREATE INDEX plan_operations_machine ON plan_operations (machine_id, planned_start);

-- Each planned order's promise date and its p10-p90 band.
CREATE TABLE plan_orders (
  work_order_id  text PRIMARY KEY,
  promised_at    timestamptz NOT NULL,
  p10            timestamptz NOT NULL,
  p90            timestamptz NOT NULL,
  late_risk      boolean NOT NULL,
  computed_at    timestamptz NOT NULL
);

-- What the plan could not place, and why (a message key and its parameters): never dropped.
CREATE TABLE plan_unplannable (
  work_order_id  text NOT NULL,
  operation_id   text,
  reason_key     text NOT NULL,
  reason_params  jsonb NOT NULL DEFAULT '{}',
  computed_at    timestamptz NOT NULL
);
CREATE INDEX plan_unplannable_order ON plan_unplannable (work_order_id);
