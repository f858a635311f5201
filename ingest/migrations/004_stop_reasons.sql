-- Reasons given to stops after the fact (a reason card scanned at the station, or the API),
-- for stops the PLC did not explain. A stop is named by its machine and start time.
CREATE TABLE stop_reasons (
  machine_id   text NOT NULL,
  stop_start   timestamptz NOT NULL,
  reason       text NOT NULL,
  source       text NOT NULL,                 -- scan | api
  assigned_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (machine_id, stop_start)
);
