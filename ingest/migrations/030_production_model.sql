-- The production model (issue 6): the plant model as loaded, machine modes, counts by machine.

-- The plant model's definition as ingest loaded it (reason tree, targets, modes, holidays):
-- the API serves it and the OEE queries read it, so several ingest instances agree.
CREATE TABLE plant_models (
  site_id     text PRIMARY KEY,
  definition  jsonb NOT NULL,
  loaded_at   timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE machines ADD COLUMN order_driven boolean NOT NULL DEFAULT false;

-- The mode a machine should be in, as change events (mode cards scanned at the station, work
-- orders starting and ending); intervals are derived with the shift calendar (domain/modes.ts).
CREATE TABLE machine_modes (
  id          bigserial PRIMARY KEY,
  machine_id  text NOT NULL,
  time        timestamptz NOT NULL,
  mode        text NOT NULL,
  source      text NOT NULL,               -- scan | work_order | api
  detail      jsonb
);
CREATE INDEX machine_modes_machine_time ON machine_modes (machine_id, time);

-- Scans and counts of orders, found by machine: counts go to the operation that was running
-- at their edge time; OEE per product and per work order.
ALTER TABLE work_order_events ADD COLUMN machine_id text;
CREATE INDEX work_order_events_machine_time ON work_order_events (machine_id, time) WHERE machine_id IS NOT NULL;

-- Who is badged in at a station (a badge scan logs in, ACT:LOGOUT logs out): scans that name
-- no operator are credited to them (operator-hours, output per operator-hour).
CREATE TABLE station_operators (
  station   text PRIMARY KEY,
  operator  text NOT NULL,
  since     timestamptz NOT NULL
);
