-- Orders that change (docs/decisions.md, "Issue 20 — order changes and their trail").
-- Progress and status stay derived from scans and counts (003_work_orders.sql); what a person
-- decides about the order as a whole is stored here. Every change is also a `changed` event
-- in work_order_events with detail { change, by, source, before, after, reason? }, so the
-- order's history lists it beside its scans.

-- Held: scans are refused and no ETA is promised until it is resumed (all three null then).
ALTER TABLE work_orders ADD COLUMN held_at timestamptz;
ALTER TABLE work_orders ADD COLUMN held_by text;
ALTER TABLE work_orders ADD COLUMN hold_reason text;

-- Cancelled: for good; off the boards, out of late-risk alerts and on-time counts.
ALTER TABLE work_orders ADD COLUMN cancelled_at timestamptz;
ALTER TABLE work_orders ADD COLUMN cancelled_by text;
ALTER TABLE work_orders ADD COLUMN cancel_reason text;

-- The order this one was split from (its `changed`/split event names both).
ALTER TABLE work_orders ADD COLUMN split_from text REFERENCES work_orders (id);

-- Boards and lists read open orders: the cancelled ones are left out by this index's filter.
CREATE INDEX work_orders_open ON work_orders (id) WHERE cancelled_at IS NULL;
CREATE INDEX work_orders_split_from ON work_orders (split_from) WHERE split_from IS NOT NULL;
-- A change is found by kind in an order's history (the trail).
CREATE INDEX work_order_events_changed ON work_order_events (work_order_id, time) WHERE kind = 'changed';
