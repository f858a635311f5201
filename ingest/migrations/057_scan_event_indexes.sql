-- A machine's counts go to the operation its last start, pause or complete scan names
-- (work-orders/apply.ts ATTRIBUTE), and an order's screens ask for its last start scan
-- (queries/orders.ts). Both walked back through the count events on the machine's or the
-- order's index until they met a scan: a count event a second per machine since the last
-- scan, so each count attributed cost more the longer an operation ran (at 1,000 machines the
-- work-orders consumer's attribution took up to 230 ms a commit three minutes in;
-- docs/decisions.md "Issue 22 — the sixth pass"). Scan events only, so each is one probe.
CREATE INDEX work_order_events_machine_scans
  ON work_order_events (machine_id, time DESC, id DESC)
  WHERE kind = 'scan' AND detail->>'action' IN ('start', 'pause', 'complete');
CREATE INDEX work_order_events_order_scans
  ON work_order_events (work_order_id, time)
  WHERE kind = 'scan';
