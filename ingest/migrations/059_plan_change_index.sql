-- The plan service looks every 2 s for the newest order event that can change the plan
-- (ingest/src/planning/service.ts `PLAN_FINGERPRINT`: kinds created, changed and scan). It
-- walked back through the primary key past every count event stored since the last such
-- event: at 1,000 machines about 150 count events a second, so each look cost more the longer
-- nobody scanned or edited an order (3 ms two minutes into the plant bench, 25 ms twelve
-- minutes in, seconds after a quiet hour; docs/decisions.md "Issue 22 — the tenth pass").
-- Those kinds only, so the look is one probe whatever the counts.
CREATE INDEX work_order_events_plan_changes
  ON work_order_events (id)
  WHERE kind IN ('created', 'changed', 'scan');
