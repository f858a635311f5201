-- Issue 15, item 2: every scan effect applies at the scan's own edge time (docs/decisions.md,
-- "Issue 15 — scans at event time"). Scans are the events; order statuses, order history,
-- operators, hand counts, work-order modes and reasons from reason cards are derived from
-- them in (time, gateway, seq) order, so replayed or shuffled scans give the same result.

-- The gateway's seq orders scans of one gateway stamped in the same millisecond; the
-- quantity of a hand report (QTY/REJ) is part of the event.
ALTER TABLE scans ADD COLUMN seq bigint;
ALTER TABLE scans ADD COLUMN quantity integer;
-- A late scan re-folds every scan from its time on.
CREATE INDEX scans_time ON scans (time);
CREATE INDEX work_order_events_time ON work_order_events (time);

-- A reason card's stop is resolved again when states of its time arrive (or a reason card
-- earlier than it does): the card's time names the rows it produced.
ALTER TABLE stop_reasons ADD COLUMN scanned_at timestamptz;
CREATE INDEX stop_reasons_scanned ON stop_reasons (machine_id, scanned_at) WHERE scanned_at IS NOT NULL;

-- Who was badged in at a station at a time is the last login/logout scan there at or before
-- it (the scans table), not a row of whoever is badged in now.
DROP TABLE station_operators;
