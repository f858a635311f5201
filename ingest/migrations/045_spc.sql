-- Issue 23 (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"): measurements
-- as subgroups, and the control-limit baselines a user freezes. The characteristics themselves
-- live in the plant model (quality.characteristics), so `characteristic` is their id.

-- One row a subgroup. Variable charts: the measured values; attribute charts: the count in
-- `values` and the pieces inspected in `n`. `dedupe_key` is set where a source can send the
-- same subgroup again: a gauge's subgroup is keyed by its characteristic and the event time of
-- its first reading (ingest/src/spc/gauge.ts), so a replayed reading makes no second one.
CREATE TABLE spc_subgroups (
  id              bigserial PRIMARY KEY,
  characteristic  text NOT NULL,
  at              timestamptz NOT NULL,
  "values"        double precision[] NOT NULL CHECK (cardinality("values") >= 1),
  n               integer CHECK (n IS NULL OR n > 0),
  work_order      text,
  operation       text,
  operator        text,
  source          text NOT NULL CHECK (source IN ('gauge', 'api', 'station')),
  dedupe_key      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (characteristic, dedupe_key)
);
CREATE INDEX spc_subgroups_char_at ON spc_subgroups (characteristic, at);

-- A gauge's readings that have not yet filled a subgroup (ingest/src/spc/gauge.ts). Keyed by
-- the reading's event time, so a replayed reading is stored once; a subgroup is cut from
-- these in event-time order and the readings it took are removed in the same transaction.
CREATE TABLE spc_gauge_readings (
  characteristic  text NOT NULL,
  at              timestamptz NOT NULL,
  value           double precision NOT NULL,
  PRIMARY KEY (characteristic, at)
);

-- Control limits frozen from a window of subgroups (phase I → phase II). The chart reads the
-- newest row of its characteristic; recomputing adds a row, so the history and its reasons stay.
CREATE TABLE spc_baselines (
  id              bigserial PRIMARY KEY,
  characteristic  text NOT NULL,
  window_from     timestamptz NOT NULL,
  window_to       timestamptz NOT NULL CHECK (window_to > window_from),
  subgroups       integer NOT NULL,
  center          double precision NOT NULL,
  ucl             double precision NOT NULL,
  lcl             double precision NOT NULL,
  sigma           double precision NOT NULL,
  range_center    double precision,
  range_ucl       double precision,
  range_lcl       double precision,
  mean_n          double precision,
  frozen_by       text,
  frozen_at       timestamptz NOT NULL DEFAULT now(),
  reason          text NOT NULL
);
CREATE INDEX spc_baselines_char ON spc_baselines (characteristic, frozen_at DESC, id DESC);
