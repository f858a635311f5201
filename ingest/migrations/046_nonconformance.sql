-- Nonconformance records and rework (docs/decisions.md, "Issue 23 — nonconformance and
-- rework"). An NC names pieces of one operation of one order that a reject or a failed
-- inspection found bad; its disposition is rework, scrap or use-as-is (a concession, with the
-- approver). What moves pieces between good and rejected is a `count` event in
-- work_order_events (detail.source nc | rework | concession, detail.nc the record's id), so
-- order progress, scrap and OEE quality of orders read one set of counts; the record keeps
-- how many of its pieces are reworked or scrapped.

CREATE TABLE nonconformances (
  id              bigserial PRIMARY KEY,
  work_order_id   text NOT NULL REFERENCES work_orders (id),
  operation_id    text NOT NULL,
  product_id      text,
  machine_id      text,
  quantity        integer NOT NULL CHECK (quantity > 0),
  reason          text NOT NULL,
  source          text NOT NULL CHECK (source IN ('reject', 'inspection')),
  characteristic  text,
  note            text,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'rework', 'closed')),
  disposition     text CHECK (disposition IN ('rework', 'scrap', 'use-as-is')),
  approver        text,
  reworked        integer NOT NULL DEFAULT 0 CHECK (reworked >= 0),
  scrapped        integer NOT NULL DEFAULT 0 CHECK (scrapped >= 0),
  opened_at       timestamptz NOT NULL,
  opened_by       text NOT NULL,
  closed_at       timestamptz,
  CHECK (reworked + scrapped <= quantity),
  CHECK (disposition <> 'use-as-is' OR approver IS NOT NULL)
);
CREATE INDEX nonconformances_order ON nonconformances (work_order_id, operation_id);
CREATE INDEX nonconformances_opened ON nonconformances (opened_at);
CREATE INDEX nonconformances_active ON nonconformances (status) WHERE status <> 'closed';

-- The trail: every change to a record is a row with who and when (open, disposition, rework).
CREATE TABLE nonconformance_changes (
  id                bigserial PRIMARY KEY,
  nonconformance_id bigint NOT NULL REFERENCES nonconformances (id) ON DELETE CASCADE,
  time              timestamptz NOT NULL,
  change            text NOT NULL CHECK (change IN ('open', 'disposition', 'rework')),
  by                text NOT NULL,
  detail            jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX nonconformance_changes_nc ON nonconformance_changes (nonconformance_id, time);
