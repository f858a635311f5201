-- Order status webhooks (docs/decisions.md "Issue 20 — the Import page, exports and order
-- status webhooks"). Status stays derived (003_work_orders.sql, 038_work_order_changes.sql);
-- what was last announced of each order is kept here, and every announcement goes through an
-- outbox written in the same transaction: a restart neither loses a change nor sends it twice.

-- What the webhooks last heard of an order: its progress, hold, cancel and late risk.
CREATE TABLE order_status_seen (
  work_order_id  text PRIMARY KEY REFERENCES work_orders (id) ON DELETE CASCADE,
  progress       text NOT NULL CHECK (progress IN ('released', 'started', 'completed')),
  held           boolean NOT NULL,
  cancelled      boolean NOT NULL,
  late_risk      boolean NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Orders that exist before this migration are taken as announced (no flood of old news at the
-- first start); late risk is judged again at the first poll.
INSERT INTO order_status_seen (work_order_id, progress, held, cancelled, late_risk)
SELECT w.id,
       CASE WHEN count(o.id) > 0 AND bool_and(o.status = 'done') THEN 'completed'
            WHEN bool_or(o.started_at IS NOT NULL) THEN 'started'
            ELSE 'released' END,
       w.held_at IS NOT NULL, w.cancelled_at IS NOT NULL, false
  FROM work_orders w LEFT JOIN work_order_operations o ON o.work_order_id = w.id
 GROUP BY w.id;

-- One row per event and receiver; delivered in id order per receiver.
CREATE TABLE order_status_outbox (
  id             bigserial PRIMARY KEY,
  webhook_id     text NOT NULL,
  work_order_id  text NOT NULL,
  event          text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  payload        jsonb NOT NULL,
  state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
  attempts       integer NOT NULL DEFAULT 0,
  next_at        timestamptz NOT NULL DEFAULT now(),
  last_error     text,
  delivered_at   timestamptz
);
CREATE INDEX order_status_outbox_pending ON order_status_outbox (webhook_id, id) WHERE state = 'pending';
CREATE INDEX order_status_outbox_order ON order_status_outbox (work_order_id, id);
