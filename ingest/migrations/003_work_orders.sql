-- Work orders: from the API or an ERP's CSV export; scans at stations start, pause and
-- complete their operations; machine counts go to the operation running on the machine.
-- Order status, progress and ETA are derived (ingest/src/domain/work-orders.ts), not stored.

CREATE TABLE work_orders (
  id          text PRIMARY KEY,
  product_id  text REFERENCES products (id),
  quantity    integer NOT NULL CHECK (quantity > 0),
  due_at      timestamptz,
  customer    text,
  priority    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE work_order_operations (
  work_order_id  text NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
  position       integer NOT NULL,
  id             text NOT NULL,
  machine_id     text NOT NULL,
  status         text NOT NULL DEFAULT 'pending',   -- pending | running | paused | done
  good           bigint NOT NULL DEFAULT 0,
  rejected       bigint NOT NULL DEFAULT 0,
  started_at     timestamptz,
  completed_at   timestamptz,
  PRIMARY KEY (work_order_id, id)
);
CREATE INDEX work_order_operations_running ON work_order_operations (machine_id) WHERE status = 'running';

-- The order's history: every scan (applied or refused, with the reason) and every count.
CREATE TABLE work_order_events (
  id             bigserial PRIMARY KEY,
  work_order_id  text NOT NULL,
  time           timestamptz NOT NULL,
  kind           text NOT NULL,                     -- created | scan | refused | count
  operation_id   text,
  good           bigint,
  rejected       bigint,
  detail         jsonb
);
CREATE INDEX work_order_events_order_time ON work_order_events (work_order_id, time);
